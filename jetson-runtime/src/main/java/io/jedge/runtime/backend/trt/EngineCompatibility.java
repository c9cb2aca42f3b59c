package io.jedge.runtime.backend.trt;

import io.jedge.sdk.bundle.Fingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Compares the platform an engine was built for with the one it is about to run on. TensorRT
 * engines are not portable: a different TensorRT version, compute capability or CUDA major
 * version is blocking; a different GPU model, CUDA minor version or L4T/JetPack release is
 * advisory (TensorRT may run the engine, possibly slower) unless the caller asks for strict
 * matching. Fields the fingerprint leaves null are not compared.
 *
 * <pre>{@code
 * EngineCompatibility c = EngineCompatibility.check("vit-fp16.plan", variant.builtFor(), here, null, null);
 * if (!c.compatible(false)) throw new JedgeException(ENGINE_MISMATCH, c.message());
 * }</pre>
 *
 * @param engine      name of the engine (file name), used in messages
 * @param builtFor    the engine's fingerprint
 * @param here        this platform
 * @param differences what differs, blocking first
 */
public record EngineCompatibility(String engine, Fingerprint builtFor, TrtPlatform here, List<Difference> differences) {
    /** Rebuild hint used in every mismatch message. */
    public static final String REBUILD_HINT = "rebuild it on this device with `jedge build-engines BUNDLE` (Jedge.load does it unless told not to)";

    /**
     * One field that differs.
     *
     * @param field    what differs, e.g. {@code TensorRT version}
     * @param engine   the engine's value
     * @param here     this platform's value
     * @param blocking whether the engine cannot run with this difference
     */
    public record Difference(String field, String engine, String here, boolean blocking) {
    }

    public EngineCompatibility {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(builtFor, "builtFor");
        Objects.requireNonNull(here, "here");
        differences = List.copyOf(differences);
    }

    /**
     * Compares {@code builtFor} with {@code here}. {@code l4tHere}/{@code jetpackHere} are this
     * device's L4T and JetPack releases, or null where unknown (not a Jetson, or not detected).
     */
    public static EngineCompatibility check(String engine, Fingerprint builtFor, TrtPlatform here, String l4tHere,
            String jetpackHere) {
        List<Difference> blocking = new ArrayList<>();
        List<Difference> advisory = new ArrayList<>();
        if (builtFor.tensorrt() != null && !versionPrefix(builtFor.tensorrt(), 3).equals(versionPrefix(here.tensorrt(), 3))) {
            blocking.add(new Difference("TensorRT version", builtFor.tensorrt(), here.tensorrt(), true));
        }
        if (builtFor.computeCapability() != null
                && !versionPrefix(builtFor.computeCapability(), 2).equals(versionPrefix(here.computeCapability(), 2))) {
            blocking.add(new Difference("compute capability", builtFor.computeCapability(), here.computeCapability(), true));
        }
        if (builtFor.cuda() != null) {
            if (!versionPrefix(builtFor.cuda(), 1).equals(versionPrefix(here.cudaRuntime(), 1))) {
                blocking.add(new Difference("CUDA major version", builtFor.cuda(), here.cudaRuntime(), true));
            } else if (!versionPrefix(builtFor.cuda(), 2).equals(versionPrefix(here.cudaRuntime(), 2))) {
                advisory.add(new Difference("CUDA version", builtFor.cuda(), here.cudaRuntime(), false));
            }
        }
        if (builtFor.gpu() != null && !normalise(builtFor.gpu()).equals(normalise(here.gpu()))) {
            advisory.add(new Difference("GPU", builtFor.gpu(), here.gpu(), false));
        }
        if (builtFor.l4t() != null && l4tHere != null && !builtFor.l4t().trim().equals(l4tHere.trim())) {
            advisory.add(new Difference("L4T release", builtFor.l4t(), l4tHere, false));
        }
        if (builtFor.jetpack() != null && jetpackHere != null && !builtFor.jetpack().trim().equals(jetpackHere.trim())) {
            advisory.add(new Difference("JetPack release", builtFor.jetpack(), jetpackHere, false));
        }
        List<Difference> all = new ArrayList<>(blocking);
        all.addAll(advisory);
        return new EngineCompatibility(engine, builtFor, here, all);
    }

    /** True when nothing blocking differs; with {@code strict}, when nothing at all differs. */
    public boolean compatible(boolean strict) {
        return differences.stream().noneMatch(d -> strict || d.blocking());
    }

    /** Empty when identical in every compared field; otherwise what differs and how to rebuild. */
    public String message() {
        if (differences.isEmpty()) {
            return "";
        }
        boolean anyBlocking = differences.stream().anyMatch(Difference::blocking);
        StringBuilder b = new StringBuilder("TensorRT engine '").append(engine).append(anyBlocking
                ? "' cannot run here: " : "' was built on a different device: ");
        for (int i = 0; i < differences.size(); i++) {
            Difference d = differences.get(i);
            b.append(i > 0 ? "; " : "").append(d.field()).append(' ').append(d.engine()).append(" (engine) vs ")
                    .append(d.here()).append(" (here)");
        }
        b.append(". This device: ").append(here.describe()).append(". ");
        b.append(anyBlocking ? "R" : "If it fails or runs slowly, r").append(REBUILD_HINT.substring(1)).append('.');
        return b.toString();
    }

    /** The first {@code n} dot-separated numeric components, padded with zeros: "10.6" → "10.6.0". */
    static String versionPrefix(String version, int n) {
        String[] parts = version.trim().split("[^0-9]+");
        StringBuilder b = new StringBuilder();
        int taken = 0;
        for (String p : parts) {
            if (p.isEmpty()) {
                continue;
            }
            if (taken == n) {
                break;
            }
            b.append(taken > 0 ? "." : "").append(Integer.parseInt(p));
            taken++;
        }
        for (; taken < n; taken++) {
            b.append(taken > 0 ? "." : "").append('0');
        }
        return b.toString();
    }

    private static String normalise(String gpu) {
        return gpu.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }
}
