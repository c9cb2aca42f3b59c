package io.jedge.runtime.backend.trt.build;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an engine is built. Immutable and checked on construction; build with {@link #builder()}.
 *
 * @param batchMin          smallest batch of the optimization profile
 * @param batchOpt          batch TensorRT tunes kernels for
 * @param batchMax          largest batch; device buffers are sized for it
 * @param workspaceMiB      limit of TensorRT's workspace memory pool (small on Jetson's shared memory)
 * @param timingCache       timing cache file, loaded when present and saved after the build; null for none
 * @param tf32              allow TF32 tensor-core math for FP32 layers (TensorRT's default)
 * @param optimizationLevel builder optimization level 0..5 (3 is TensorRT's default; higher builds longer)
 * @param device            CUDA device to build on
 * @param l4t               L4T release to record in the fingerprint, or null
 * @param jetpack           JetPack release to record in the fingerprint, or null
 * @param progressInterval  how often a long build logs its elapsed time
 * @param detailedLayers    keep each engine layer's kernel (tactic), formats and fused ops in the plan, for
 *                          {@code TrtInferenceSession.layerInformation()}; TensorRT keeps only names otherwise
 */
public record TrtBuildOptions(int batchMin, int batchOpt, int batchMax, long workspaceMiB, Path timingCache, boolean tf32,
        int optimizationLevel, int device, String l4t, String jetpack, Duration progressInterval, boolean detailedLayers) {

    public TrtBuildOptions {
        if (batchMin < 1 || batchOpt < batchMin || batchMax < batchOpt) {
            throw new IllegalArgumentException("batch: " + batchMin + ":" + batchOpt + ":" + batchMax
                    + ", expected 1 <= MIN <= OPT <= MAX");
        }
        if (workspaceMiB < 1 || workspaceMiB > (1L << 24)) {
            throw new IllegalArgumentException("workspaceMiB: " + workspaceMiB + ", expected 1.." + (1L << 24));
        }
        if (optimizationLevel < 0 || optimizationLevel > 5) {
            throw new IllegalArgumentException("optimizationLevel: " + optimizationLevel + ", expected 0..5");
        }
        if (device < 0) {
            throw new IllegalArgumentException("device: " + device + ", expected a CUDA device index of 0 or more");
        }
        if (progressInterval == null || progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("progressInterval: " + progressInterval + ", expected a positive duration");
        }
        if (timingCache != null && Files.isDirectory(timingCache)) {
            throw new IllegalArgumentException("timingCache: " + timingCache + " is a directory, expected a file");
        }
        l4t = blankToNull(l4t);
        jetpack = blankToNull(jetpack);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    public static TrtBuildOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code MIN:OPT:MAX}, as on the command line. */
    public String batchSpec() {
        return batchMin + ":" + batchOpt + ":" + batchMax;
    }

    /** The options as the engine's fingerprint records them. */
    public Map<String, String> asFingerprintOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("batch", batchSpec());
        m.put("workspaceMiB", Long.toString(workspaceMiB));
        m.put("typing", "strong");
        m.put("tf32", Boolean.toString(tf32));
        m.put("optimizationLevel", Integer.toString(optimizationLevel));
        if (detailedLayers) {
            m.put("profilingVerbosity", "detailed");
        }
        return m;
    }

    /** Builder for {@link TrtBuildOptions}. */
    public static final class Builder {
        private int batchMin = 1;
        private int batchOpt = 1;
        private int batchMax = 1;
        private long workspaceMiB = 1024;
        private Path timingCache;
        private boolean tf32 = true;
        private int optimizationLevel = 3;
        private int device;
        private String l4t;
        private String jetpack;
        private Duration progressInterval = Duration.ofSeconds(30);
        private boolean detailedLayers;

        public Builder batch(int min, int opt, int max) {
            this.batchMin = min;
            this.batchOpt = opt;
            this.batchMax = max;
            return this;
        }

        /** Parses {@code MIN:OPT:MAX} (e.g. {@code 1:8:32}) or a single fixed batch ({@code 4}). */
        public Builder batch(String spec) {
            if (spec == null || spec.isBlank()) {
                throw new IllegalArgumentException("batch: empty, expected MIN:OPT:MAX such as 1:8:32");
            }
            String[] p = spec.trim().split(":");
            try {
                if (p.length == 1) {
                    int b = Integer.parseInt(p[0]);
                    return batch(b, b, b);
                }
                if (p.length == 3) {
                    return batch(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new IllegalArgumentException("batch: '" + spec + "', expected MIN:OPT:MAX such as 1:8:32");
        }

        public Builder workspaceMiB(long mib) {
            this.workspaceMiB = mib;
            return this;
        }

        public Builder timingCache(Path file) {
            this.timingCache = file;
            return this;
        }

        public Builder tf32(boolean on) {
            this.tf32 = on;
            return this;
        }

        public Builder optimizationLevel(int level) {
            this.optimizationLevel = level;
            return this;
        }

        public Builder device(int device) {
            this.device = device;
            return this;
        }

        public Builder l4t(String l4t) {
            this.l4t = l4t;
            return this;
        }

        public Builder jetpack(String jetpack) {
            this.jetpack = jetpack;
            return this;
        }

        public Builder progressInterval(Duration interval) {
            this.progressInterval = interval;
            return this;
        }

        public Builder detailedLayers(boolean on) {
            this.detailedLayers = on;
            return this;
        }

        public TrtBuildOptions build() {
            return new TrtBuildOptions(batchMin, batchOpt, batchMax, workspaceMiB, timingCache, tf32, optimizationLevel, device,
                    l4t, jetpack, progressInterval, detailedLayers);
        }
    }
}
