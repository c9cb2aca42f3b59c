package io.jedge.sdk.bundle;

import io.jedge.sdk.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A bundle directory: {@code bundle.json} plus the variant files it names.
 *
 * <p>{@link #load(Path)} validates everything before returning — schema version, every field,
 * file references (relative, present, and inside the bundle once links are resolved) and sha256 digests — so a damaged
 * bundle fails with one message and never loads half. Instances are immutable values.
 *
 * <pre>{@code
 * Bundle b = Bundle.load(Path.of("vit-tiny.bundle"));
 * Path onnx = b.resolve(b.manifest().variants().get(0));
 * }</pre>
 */
public final class Bundle {
    /** The lock file {@link #update(UnaryOperator)} holds while it rewrites bundle.json. */
    public static final String LOCK_FILE = ".jedge.lock";

    private final Path dir;
    private final BundleManifest manifest;

    private Bundle(Path dir, BundleManifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    public Path dir() {
        return dir;
    }

    public BundleManifest manifest() {
        return manifest;
    }

    public Path manifestFile() {
        return dir.resolve(BundleManifest.FILE_NAME);
    }

    /** Reads and fully validates the bundle in {@code dir}, including each variant's sha256. */
    public static Bundle load(Path dir) throws BundleException {
        return load(dir, true);
    }

    /** As {@link #load(Path)}; {@code verifyDigests=false} skips hashing (for quick listing only). */
    public static Bundle load(Path dir, boolean verifyDigests) throws BundleException {
        Path dirAbs = dir.toAbsolutePath().normalize();
        Path file = dirAbs.resolve(BundleManifest.FILE_NAME);
        if (!Files.isDirectory(dirAbs)) {
            throw new BundleException(dirAbs, "not a bundle directory (it does not exist or is a file); create one with 'jedge convert MODEL.onnx -o DIR'");
        }
        String text;
        try {
            text = readManifest(file);
        } catch (NoSuchFileException e) {
            throw new BundleException(file, "missing; a bundle directory must contain " + BundleManifest.FILE_NAME);
        } catch (IOException e) {
            throw new BundleException(file, "cannot be read (" + e.getMessage() + ")", e);
        }
        BundleManifest m = ManifestJson.read(text, file);
        validate(dirAbs, file, m, verifyDigests);
        return new Bundle(dirAbs, m);
    }

    private static void validate(Path dir, Path file, BundleManifest m, boolean verifyDigests) throws BundleException {
        if (m.variants().isEmpty()) {
            throw new BundleException(file, "field 'variants' is empty; a bundle needs at least one variant");
        }
        java.util.Optional<String> labels = BundleManifest.labelsMismatch(m.task(), m.labels(), m.outputs());
        if (labels.isPresent()) {
            throw new BundleException(file, "field 'labels': " + labels.get());
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < m.variants().size(); i++) {
            Variant v = m.variants().get(i);
            String at = "variants[" + i + "]";
            if (!Variant.ID.matcher(v.id()).matches()) {
                throw new BundleException(file, "field '" + at + ".id': found " + ManifestJson.quoted(v.id())
                        + ", expected 1 to 128 letters, digits, '.', '_', '+' or '-', starting with a letter or digit");
            }
            if (!ids.add(v.id())) {
                throw new BundleException(file, "field '" + at + ".id': duplicate id '" + v.id() + "'");
            }
            Path p = safeResolve(dir, file, at + ".file", v.file());
            if (!Files.isRegularFile(p)) {
                throw new BundleException(file, "field '" + at + ".file': '" + v.file() + "' does not exist in the bundle");
            }
            requireInside(dir, file, at + ".file", v.file(), p);
            Path data = p.resolveSibling(p.getFileName() + ".data"); // where jedge puts an ONNX model's external weights
            if (Files.exists(data)) {
                requireInside(dir, file, at + ".file", v.file() + ".data", data);
            }
            if (verifyDigests) {
                String actual = sha256(p);
                if (!actual.equalsIgnoreCase(v.sha256())) {
                    throw new BundleException(file, "field '" + at + ".sha256': file '" + v.file() + "' has digest " + actual
                            + ", expected " + v.sha256() + " (the file was changed or damaged; convert again)");
                }
            }
        }
        if (m.preprocessing() != null) {
            checkPreprocessing(file, m.preprocessing(), m.inputs());
        }
        for (int i = 0; i < m.reports().size(); i++) {
            String v = m.reports().get(i).variant();
            if (!ids.contains(v)) {
                throw new BundleException(file, "field 'reports[" + i + "].variant': unknown variant '" + v + "'");
            }
        }
    }

    /** Preprocessing that does not fit the input would feed the model wrong pixels without an error. */
    private static void checkPreprocessing(Path file, Preprocessing p, List<TensorSpec> inputs) throws BundleException {
        TensorSpec in = inputs.isEmpty() ? null : inputs.get(0);
        if (in == null || in.shape().size() != 4) {
            throw new BundleException(file, "field 'preprocessing': the first input is "
                    + (in == null ? "missing" : "'" + in.name() + "' " + in.shape()) + ", expected an image [N,C,H,W] or [N,H,W,C]");
        }
        boolean nchw = p.layout() == Preprocessing.Layout.NCHW;
        long[] dims = {in.shape().get(nchw ? 1 : 3), in.shape().get(nchw ? 2 : 1), in.shape().get(nchw ? 3 : 2)};
        int[] want = {p.channels(), p.height(), p.width()};
        String[] field = {"channels", "height", "width"};
        for (int i = 0; i < 3; i++) {
            if (dims[i] > 0 && dims[i] != want[i]) {
                throw new BundleException(file, "field 'preprocessing." + field[i] + "': found " + want[i] + ", expected "
                        + dims[i] + " (input '" + in.name() + "' is " + in.shape() + ", " + p.layout().id() + ")");
            }
        }
    }

    private static Path safeResolve(Path dir, Path file, String field, String ref) throws BundleException {
        if (ref.isEmpty() || ref.startsWith("/") || ref.startsWith("\\") || ref.contains("\\") || ref.matches("^[A-Za-z]:.*")) {
            throw new BundleException(file, "field '" + field + "': '" + ref + "' must be a relative path inside the bundle");
        }
        for (String part : ref.split("/")) {
            if (part.equals("..")) {
                throw new BundleException(file, "field '" + field + "': '" + ref + "' must not contain '..'");
            }
        }
        Path p = dir.resolve(ref).normalize();
        if (!p.startsWith(dir)) {
            throw new BundleException(file, "field '" + field + "': '" + ref + "' points outside the bundle");
        }
        return p;
    }

    /**
     * A variant file that is a link to a file elsewhere would run a model the manifest does not
     * describe (and the digest would follow the link), so the real path must stay in the bundle.
     */
    private static void requireInside(Path dir, Path file, String field, String ref, Path p) throws BundleException {
        Path real;
        Path realDir;
        try {
            real = p.toRealPath();
            realDir = dir.toRealPath();
        } catch (IOException e) {
            throw new BundleException(file, "field '" + field + "': '" + ref + "' cannot be resolved (" + e.getMessage() + ")", e);
        }
        if (!real.startsWith(realDir)) {
            throw new BundleException(file, "field '" + field + "': '" + ref + "' is a link to " + real
                    + ", outside the bundle; a bundle must hold its own files (convert again)");
        }
    }

    /** The absolute path of a variant's file, checked again to be inside the bundle (a link may have appeared since load). */
    public Path resolve(Variant v) {
        try {
            Path p = safeResolve(dir, manifestFile(), "file", v.file());
            if (Files.exists(p)) {
                requireInside(dir, manifestFile(), "file", v.file(), p);
            }
            return p;
        } catch (BundleException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Writes {@code manifest} atomically as {@code dir/bundle.json} (the variant files must already be there). */
    public static Bundle write(Path dir, BundleManifest manifest) throws BundleException {
        Path dirAbs = dir.toAbsolutePath().normalize();
        Path file = dirAbs.resolve(BundleManifest.FILE_NAME);
        String json = ManifestJson.write(manifest);
        // read back as a load reads it: every field's check (control characters in report layers, notes and attributes,
        // which come from users' ONNX names, included), so convert never writes a manifest that cannot load
        ManifestJson.read(json, file);
        validate(dirAbs, file, manifest, false);
        try {
            AtomicFiles.writeString(file, json);
        } catch (IOException e) {
            throw new BundleException(file, "cannot be written (" + e.getMessage() + ")", e);
        }
        return new Bundle(dirAbs, manifest);
    }

    /** This bundle with its manifest replaced and written to disk. */
    public Bundle update(BundleManifest next) throws BundleException {
        return update(current -> next);
    }

    /**
     * Applies {@code change} to the manifest as it is on disk now and writes the result, under a
     * lock on {@value #LOCK_FILE} in the bundle: two processes updating one bundle (two
     * {@code jedge bench} runs) each keep their change instead of the last one winning.
     */
    public Bundle update(UnaryOperator<BundleManifest> change) throws BundleException {
        Path lockFile = dir.resolve(LOCK_FILE);
        synchronized (Bundle.class) { // file locks are per process; this orders threads of one JVM
            return updateLocked(lockFile, change);
        }
    }

    /** Largest manifest read; a real one is a few kilobytes even with hundreds of figures. */
    static final long MAX_MANIFEST_BYTES = 16L << 20;

    /** Reads bundle.json after a size check, so a huge file is one clear error and not an OutOfMemoryError. */
    private static String readManifest(Path file) throws IOException, BundleException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes((int) MAX_MANIFEST_BYTES + 1);
            if (b.length > MAX_MANIFEST_BYTES) {
                throw new BundleException(file, "is larger than " + (MAX_MANIFEST_BYTES >> 20)
                        + " MiB; a bundle manifest never is, so this is not one (re-convert the bundle)");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    private Bundle updateLocked(Path lockFile, UnaryOperator<BundleManifest> change) throws BundleException {
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            Path file = manifestFile();
            BundleManifest onDisk = ManifestJson.read(readManifest(file), file);
            return write(dir, change.apply(onDisk));
        } catch (IOException e) {
            throw new BundleException(lockFile, "cannot be locked to update " + BundleManifest.FILE_NAME + " (" + e.getMessage() + ")", e);
        }
    }

    /** Hex sha256 of a file. */
    public static String sha256(Path p) throws BundleException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new BundleException(p, "cannot be read for its digest (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The manifest serialised as bundle.json text (for `--json` output and tests). */
    public static String toJson(BundleManifest m) {
        return ManifestJson.write(m);
    }
}
