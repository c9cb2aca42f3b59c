package io.jedge.converters.bundle;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Fingerprint;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Collects variants and reports and writes them as a bundle. The model description (task, inputs,
 * outputs, preprocessing) comes from the first model added.
 *
 * <p>Files go to a hidden staging directory beside the target ({@code .NAME.jedge-staging-PID-R});
 * {@link #write()} checks that every ONNX variant loads in ONNX Runtime and is the model the
 * manifest describes, then moves the staging directory into place, so an interrupted or failed
 * convert leaves the target as it was. {@link #close()} removes what an uncommitted assembler
 * staged; the next convert of the same target removes what a killed one left.
 */
public final class BundleAssembler implements AutoCloseable {
    private static final String STAGING = ".jedge-staging-";
    private static final String ASIDE = ".jedge-old-";
    private static final long MAX_MANIFEST_BYTES = 64L << 20;

    private final Path target;
    private Path staging;
    private boolean committed;
    private String name;
    private Task task;
    private List<TensorSpec> inputs;
    private List<TensorSpec> outputs;
    private Preprocessing preprocessing;
    private List<String> labels = List.of();
    private final Map<String, String> pipeline = new LinkedHashMap<>();
    private final List<Variant> variants = new ArrayList<>();
    private final List<Report> reports = new ArrayList<>();

    /**
     * @param dir the bundle directory to write: new, empty, or a bundle jedge wrote (replaced whole)
     * @throws IllegalArgumentException as {@link #prepare(Path)}
     */
    public BundleAssembler(Path dir, String name) {
        this.target = prepare(dir);
        this.name = name;
    }

    /** The directory files are written to until {@link #write()} moves it to {@link #target()}. */
    public Path dir() throws BundleException {
        if (staging == null) {
            Path s = target.resolveSibling("." + target.getFileName() + STAGING + ProcessHandle.current().pid() + "-"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
            try {
                Files.createDirectories(target.getParent());
                staging = Files.createDirectory(s);
            } catch (IOException e) {
                throw new BundleException(s, "cannot create the staging directory beside the bundle (" + e.getMessage() + ")", e);
            }
        }
        return staging;
    }

    /** The bundle directory {@link #write()} creates or replaces. */
    public Path target() {
        return target;
    }

    /**
     * Makes {@code dir} ready to receive a bundle; call it before any conversion work, so a refusal
     * costs nothing. It finishes what a killed convert of the same directory left (see
     * {@code commit()}) and refuses a directory whose contents jedge did not write.
     *
     * @return the absolute bundle directory (links resolved, so the staging directory is on its file system)
     * @throws IllegalArgumentException when {@code dir} is a file, a non-empty directory that is not a
     *                                  jedge bundle, or a bundle holding files it does not list
     */
    public static Path prepare(Path dir) {
        Path t = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(t)) {
                t = t.toRealPath();
            }
            if (t.getParent() == null) {
                throw new IllegalArgumentException(t + ": cannot write a bundle as a file system root; choose a directory below it");
            }
            recover(t);
        } catch (IOException e) {
            throw new IllegalArgumentException(t + ": cannot be prepared for the bundle (" + e.getMessage() + ")", e);
        }
        checkReplaceable(t);
        // the staging directory goes beside the target only after the conversion work: check now that it can
        io.jedge.sdk.AtomicFiles.requireWritableDir(t.toString(), t.getParent());
        return t;
    }

    /** Restores an old bundle set aside by a killed convert, then deletes what dead converts of {@code t} left. */
    private static void recover(Path t) throws IOException {
        String prefix = "." + t.getFileName();
        Path parent = t.getParent();
        if (!Files.isDirectory(parent)) {
            return;
        }
        List<Path> stale;
        try (Stream<Path> s = Files.list(parent)) {
            stale = s.filter(p -> {
                String n = p.getFileName().toString();
                return (n.startsWith(prefix + STAGING) || n.startsWith(prefix + ASIDE)) && !ownerAlive(n);
            }).toList();
        }
        for (Path p : stale) {
            boolean aside = p.getFileName().toString().startsWith(prefix + ASIDE);
            if (aside && !Files.exists(t, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(p.resolve(BundleManifest.FILE_NAME))) {
                Files.move(p, t, StandardCopyOption.ATOMIC_MOVE); // killed between its two renames: the old bundle comes back
            } else {
                deleteTree(p);
            }
        }
    }

    /** Whether the process named in a staging or aside directory's name ({@code ...-PID-R}) still runs. */
    private static boolean ownerAlive(String name) {
        String[] parts = name.split("-");
        try {
            long pid = Long.parseLong(parts[parts.length - 2]);
            return pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return true; // not one of ours: leave it
        }
    }

    private static void checkReplaceable(Path t) {
        if (!Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(t)) {
            throw new IllegalArgumentException(t + ": is a file; the output of convert is a bundle directory (choose another path)");
        }
        Set<String> owned = ownedFiles(t);
        try (Stream<Path> files = Files.walk(t)) {
            Optional<Path> foreign = files.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !owned.contains(t.relativize(p).toString().replace('\\', '/')) && !isLeftover(p)).findFirst();
            if (foreign.isPresent()) {
                throw new IllegalArgumentException(t + ": holds " + t.relativize(foreign.get()) + ", which bundle.json does not list;"
                        + " replacing the bundle would delete it (move it out, or choose another output directory)");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(t + ": cannot be listed (" + e.getMessage() + ")", e);
        }
    }

    /** A temporary file an interrupted write left (AtomicFiles, OnnxModel.save, the engine stage). */
    private static boolean isLeftover(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(".") && (n.endsWith(".tmp") || n.endsWith(".trt.onnx"));
    }

    /**
     * The files of the jedge bundle in {@code t}, read leniently (an older schema or a damaged
     * variant may be replaced); empty for an empty directory.
     *
     * @throws IllegalArgumentException when {@code t} holds files but no jedge bundle.json
     */
    private static Set<String> ownedFiles(Path t) {
        Path file = t.resolve(BundleManifest.FILE_NAME);
        Set<String> owned = new HashSet<>();
        if (!Files.isRegularFile(file)) {
            try (Stream<Path> s = Files.list(t)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException(t + ": not empty and holds no " + BundleManifest.FILE_NAME
                            + ", so it is not a jedge bundle; convert writes into a new or empty directory or over a bundle it wrote"
                            + " (choose another output directory)");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(t + ": cannot be listed (" + e.getMessage() + ")", e);
            }
            return owned;
        }
        String why = null;
        try {
            if (Files.size(file) > MAX_MANIFEST_BYTES) {
                why = Files.size(file) + " bytes";
            } else {
                JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
                JsonObject o = e.isJsonObject() ? e.getAsJsonObject() : null;
                if (o == null || !o.has("schemaVersion") || !o.has("variants") || !o.get("variants").isJsonArray()
                        || !o.has("createdBy") || !o.get("createdBy").getAsString().startsWith("jedge")) {
                    why = "no schemaVersion, variants and createdBy \"jedge ...\"";
                } else {
                    owned.add(BundleManifest.FILE_NAME);
                    owned.add(Bundle.LOCK_FILE);
                    for (JsonElement v : o.getAsJsonArray("variants")) {
                        String f = v.getAsJsonObject().get("file").getAsString();
                        owned.add(f);
                        owned.add(f + ".data"); // OnnxModel.save's external data
                    }
                }
            }
        } catch (IOException | JsonParseException | IllegalStateException | UnsupportedOperationException | NullPointerException e) {
            why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
        }
        if (why != null) {
            throw new IllegalArgumentException(file + ": not a jedge manifest (" + why + "); convert replaces only bundles it wrote"
                    + " (choose another output directory)");
        }
        return owned;
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    /** Describes the bundle from a model's graph inputs and outputs; guesses the task from their shapes. */
    public BundleAssembler describe(OnnxModel model, Task forcedTask) {
        return describe(model, forcedTask, Map.of());
    }

    /**
     * As {@link #describe(OnnxModel, Task)}, with the dims past the batch that the graph leaves
     * symbolic (a legacy export's class count) taken from {@code ranShapes}, the output shapes of one
     * run of the model: the manifest then records the class count, so the task is guessed and
     * {@code --labels} checked against it. The batch dim stays as the graph has it.
     */
    public BundleAssembler describe(OnnxModel model, Task forcedTask, Map<String, long[]> ranShapes) {
        inputs = specs(model.graph().inputs());
        outputs = specs(model.graph().outputs()).stream().map(t -> withRanDims(t, ranShapes.get(t.name()))).toList();
        requireRunnableDims("input", inputs);
        requireRunnableDims("output", outputs);
        task = forcedTask != null ? forcedTask : guessTask();
        if (task == Task.IMAGE_CLASSIFICATION && preprocessing == null) {
            List<Long> s = inputs.get(0).shape();
            if (inputs.size() != 1 || s.size() != 4 || (s.get(1) != 1 && s.get(1) != 3) || s.get(2) <= 0 || s.get(3) <= 0) {
                throw new IllegalArgumentException("task image-classification needs one image input [N,1|3,H,W] with a fixed "
                        + "height and width; the model's inputs are " + inputs.stream().map(t -> "'" + t.name() + "' " + t.shape()).toList()
                        + " (give --resize N for a model of any size; preprocessing(...) for other layouts)");
            }
            preprocessing = Preprocessing.defaults(s.get(1).intValue(), s.get(2).intValue(), s.get(3).intValue());
        }
        return this;
    }

    private Task guessTask() {
        if (inputs.size() == 1 && outputs.size() == 1) {
            List<Long> in = inputs.get(0).shape();
            List<Long> out = outputs.get(0).shape();
            boolean nchw = in.size() == 4 && (in.get(1) == 1 || in.get(1) == 3) && in.get(2) > 0 && in.get(3) > 0;
            boolean nhwc = in.size() == 4 && (in.get(3) == 1 || in.get(3) == 3) && in.get(1) > 0 && in.get(2) > 0;
            if ((nchw || nhwc) && out.size() == 2 && out.get(1) > 1) {
                return Task.IMAGE_CLASSIFICATION;
            }
        }
        return Task.GENERIC;
    }

    private static TensorSpec withRanDims(TensorSpec t, long[] ran) {
        if (ran == null || ran.length != t.shape().size()) {
            return t;
        }
        List<Long> shape = new ArrayList<>(t.shape());
        for (int i = 1; i < shape.size(); i++) {
            if (shape.get(i) < 0 && ran[i] > 0) {
                shape.set(i, ran[i]);
            }
        }
        return new TensorSpec(t.name(), t.dataType(), shape);
    }

    /** A dim of 0, below -1 or beyond an int cannot be allocated or indexed by any backend; say so now, not at load. */
    private static void requireRunnableDims(String kind, List<TensorSpec> specs) {
        for (TensorSpec s : specs) {
            for (int i = 0; i < s.shape().size(); i++) {
                long d = s.shape().get(i);
                if (d != -1 && (d < 1 || d > Integer.MAX_VALUE)) {
                    throw new IllegalArgumentException("model " + kind + " '" + s.name() + "': dim " + i + " is " + d + " in "
                            + s.shape() + ", expected 1.." + Integer.MAX_VALUE + " or dynamic (fix the model's export)");
                }
            }
        }
    }

    private static List<TensorSpec> specs(List<ValueInfoProto> vs) {
        List<TensorSpec> out = new ArrayList<>();
        for (ValueInfoProto v : vs) {
            List<Long> shape = new ArrayList<>();
            for (long d : Graph.dims(v)) {
                shape.add(d);
            }
            out.add(new TensorSpec(v.getName(), TensorData.typeName(Graph.elemType(v)), shape));
        }
        return out;
    }

    public BundleAssembler preprocessing(Preprocessing p) {
        this.preprocessing = p;
        return this;
    }

    /** Class labels; checked against the classifier's output now (after {@link #describe}), before any variant is built. */
    public BundleAssembler labels(List<String> labels) {
        BundleManifest.labelsMismatch(task, labels, outputs == null ? List.of() : outputs).ifPresent(why -> {
            throw new IllegalArgumentException("--labels: " + why);
        });
        this.labels = List.copyOf(labels);
        return this;
    }

    public BundleAssembler pipeline(String key, String value) {
        pipeline.put(key, value);
        return this;
    }

    public Task task() {
        return task;
    }

    /**
     * Saves {@code model} as {@code <id>.onnx} in the bundle and records it as a variant.
     *
     * @return the recorded variant
     */
    public Variant addOnnx(String id, Role role, OnnxModel model, Precision precision, AttentionKind attention,
            int batchMin, int batchOpt, int batchMax, Map<String, String> attributes) throws BundleException {
        String file = id + ".onnx";
        model.save(dir().resolve(file));
        return addFile(id, role, file, VariantFormat.ONNX, precision, attention, batchMin, batchOpt, batchMax,
                Fingerprint.portable(), attributes);
    }

    /** Records a file already written into the bundle directory. */
    public Variant addFile(String id, Role role, String file, VariantFormat format, Precision precision,
            AttentionKind attention, int batchMin, int batchOpt, int batchMax, Fingerprint builtFor,
            Map<String, String> attributes) throws BundleException {
        Path p = dir().resolve(file);
        long size;
        try {
            size = Files.size(p);
        } catch (IOException e) {
            throw new BundleException(p, "cannot be read (" + e.getMessage() + ")", e);
        }
        variants.removeIf(v -> v.id().equals(id));
        Variant v = new Variant(id, role, file, format, precision, attention, batchMin, batchOpt, batchMax,
                Bundle.sha256(p), size, builtFor, attributes, List.of());
        variants.add(v);
        return v;
    }

    /** Sets attribute {@code key} of the recorded variant {@code id}, which keeps its place in the manifest. */
    public BundleAssembler attribute(String id, String key, String value) {
        int at = variants.stream().map(Variant::id).toList().indexOf(id);
        if (at < 0) {
            throw new IllegalArgumentException("variant '" + id + "' is not recorded; recorded: " + variants.stream().map(Variant::id).toList());
        }
        variants.set(at, variants.get(at).withAttribute(key, value));
        return this;
    }

    public BundleAssembler report(Report r) {
        reports.removeIf(x -> x.kind().equals(r.kind()) && x.variant().equals(r.variant()));
        reports.add(r);
        return this;
    }

    public List<Variant> variants() {
        return List.copyOf(variants);
    }

    /** The reports recorded so far about {@code variantId}. */
    public List<Report> reports(String variantId) {
        return reports.stream().filter(r -> r.variant().equals(variantId)).toList();
    }

    /**
     * Checks every variant, writes bundle.json and moves the bundle into place (replacing an old
     * one whole). Nothing reaches the target unless all of it does.
     *
     * @throws BundleException naming the variant when ONNX Runtime cannot load one, or a file is
     *                         not the model the manifest describes
     */
    public Bundle write() throws BundleException {
        if (inputs == null) {
            throw new IllegalStateException("describe(model) must be called before write()");
        }
        if (committed) {
            throw new IllegalStateException("bundle " + target + " was already written by this assembler");
        }
        BundleManifest m = new BundleManifest(BundleManifest.SCHEMA_VERSION, name, task, inputs, outputs, preprocessing,
                labels, pipeline, variants, reports, "jedge " + Version.get(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        Path work = dir();
        for (Variant v : variants) {
            if (v.format() == VariantFormat.ONNX) {
                requireLoads(work, m, v);
            }
        }
        Bundle.write(work, m);
        commit();
        return Bundle.load(target, false);
    }

    /** The FP32-only path runs no model while converting, so open each ONNX variant once, as the runtime will. */
    private static void requireLoads(Path work, BundleManifest m, Variant v) throws BundleException {
        Path file = work.resolve(v.file());
        Optional<String> mismatch;
        try (InferenceSession s = new OrtBackend().open(file, SessionOptions.builder().threads(1).build())) {
            mismatch = m.signatureMismatch(v, s.inputs(), s.outputs());
        } catch (JedgeException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            String reason = String.valueOf(c.getMessage()).lines().findFirst().orElse("");
            throw new BundleException(file, "variant '" + v.id() + "' cannot be loaded by ONNX Runtime (" + reason
                    + "); no bundle was written", e);
        }
        if (mismatch.isPresent()) {
            throw new BundleException(file, mismatch.get() + "; no bundle was written");
        }
    }

    /**
     * Moves the complete staging directory to the target. A crash leaves one of these states, and
     * {@link #prepare(Path)} on the next convert of the target finishes it:
     * <ol>
     *   <li>before the first rename: the target is untouched; the staging directory is deleted;
     *   <li>after target → aside: the target is missing and the aside directory holds the old bundle;
     *       it is renamed back;
     *   <li>after staging → target: the new bundle is in place; the aside directory is deleted;
     *   <li>while the aside directory is deleted: what is left of it is deleted.
     * </ol>
     */
    private void commit() throws BundleException {
        checkReplaceable(target); // it may have changed since prepare()
        try (Stream<Path> files = Files.walk(staging)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.force(true); // the renames must not become durable before the bytes do
                }
            }
        } catch (IOException e) {
            throw new BundleException(staging, "cannot be synced (" + e.getMessage() + ")", e);
        }
        Path aside = null;
        try {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                aside = target.resolveSibling("." + target.getFileName() + ASIDE + ProcessHandle.current().pid() + "-"
                        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (aside != null && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException restore) {
                    e.addSuppressed(restore);
                }
            }
            throw new BundleException(target, "cannot be replaced (" + e.getMessage() + ")", e);
        }
        committed = true;
        staging = null;
        if (aside != null) {
            try {
                deleteTree(aside);
            } catch (IOException e) {
                // the new bundle is in place; the next convert of this target deletes the rest
            }
        }
    }

    /** Deletes the staging directory unless {@link #write()} committed it; idempotent. */
    @Override
    public void close() {
        if (staging != null && !committed) {
            try {
                deleteTree(staging);
            } catch (IOException e) {
                // a later convert of this target deletes it (its owner is gone by then)
            }
            staging = null;
        }
    }
}
