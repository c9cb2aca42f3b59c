package io.jedge.runtime.bench;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures a session: warm-up, then timed calls for a bounded wall time. Used by
 * {@code jedge bench}, the selection's autotune and the power-mode benchmark.
 */
public final class LatencyBench {
    private LatencyBench() {
    }

    /**
     * Latency percentiles and throughput of one (session, batch) pair.
     *
     * @param split where the time went, for backends that report it (TensorRT); null otherwise
     */
    public record Stats(int batch, int runs, double p50Ms, double p95Ms, double meanMs, double throughputPerSec,
            double p90Ms, double p99Ms, Split split) {
    }

    /**
     * Medians over the timed calls of the device-side stages (CUDA events) and of the Java-side
     * overhead, i.e. each call's wall time minus its GPU time.
     */
    public record Split(double h2dMs, double computeMs, double d2hMs, double gpuMs, double overheadMs, double overheadPct) {
        /** One line, e.g. {@code h2d 0.41 ms, compute 0.62 ms, d2h 0.01 ms (GPU 1.04 ms); Java-side 0.05 ms = 4.6% of wall}. */
        public String describe() {
            return String.format("h2d %.3f ms, compute %.3f ms, d2h %.3f ms (GPU %.3f ms); Java-side %.3f ms = %.1f%% of wall",
                    h2dMs, computeMs, d2hMs, gpuMs, overheadMs, overheadPct);
        }
    }

    /** How a bench hands tensors to the session. */
    public enum Io {
        /** {@code float[]}/{@code long[]} tensors through {@code run}: what the app API uses. */
        HEAP,
        /** Inputs and outputs in the backend's own direct memory ({@code allocate}) through {@code runInto}. */
        DIRECT
    }

    /** Inputs and caller-owned outputs in a session's direct memory, for {@code runInto}; release with {@link #close}. */
    public record DirectIo(InferenceSession session, Map<String, Tensor> inputs, Map<String, Tensor> outputs)
            implements AutoCloseable {
        @Override
        public void close() {
            inputs.values().forEach(session::release);
            outputs.values().forEach(session::release);
        }
    }

    /**
     * Copies heap inputs once into {@code s.allocate(...)} memory of the session's input types and
     * allocates every output there, shaped as one heap run produces them.
     */
    public static DirectIo directIo(InferenceSession s, Map<String, Tensor> heapInputs) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        DirectIo io = new DirectIo(s, in, out);
        boolean ok = false;
        try {
            for (TensorSpec spec : s.inputs()) {
                Tensor h = heapInputs.get(spec.name());
                DataType type = DataType.fromSpecName(spec.dataType()).orElseThrow(() -> new IllegalArgumentException(
                        "input '" + spec.name() + "' has type " + spec.dataType() + ", which has no direct form"));
                Tensor d = s.allocate(type, h.shape());
                in.put(spec.name(), d);
                fill(d, h);
            }
            Map<String, Tensor> produced = s.run(heapInputs);
            for (TensorSpec spec : s.outputs()) {
                DataType type = DataType.fromSpecName(spec.dataType()).orElseThrow(() -> new IllegalArgumentException(
                        "output '" + spec.name() + "' has type " + spec.dataType() + ", which has no direct form"));
                out.put(spec.name(), s.allocate(type, produced.get(spec.name()).shape()));
            }
            ok = true;
            return io;
        } finally {
            if (!ok) {
                io.close();
            }
        }
    }

    private static void fill(Tensor direct, Tensor heap) {
        java.nio.ByteBuffer b = direct.buffer();
        switch (direct.type()) {
            case FLOAT32, INT64 -> heap.copyInto(b);
            case FLOAT16 -> {
                float[] f = heap.floats();
                for (int i = 0; i < f.length; i++) {
                    b.putShort(i * 2, io.jedge.runtime.backend.Float16.fromFloat(f[i]));
                }
            }
            case INT32 -> {
                long[] v = heap.longs();
                for (int i = 0; i < v.length; i++) {
                    b.putInt(i * 4, (int) v[i]);
                }
            }
            case UINT8 -> {
                float[] f = heap.floats();
                for (int i = 0; i < f.length; i++) {
                    b.put(i, (byte) Math.round((f[i] + 1) * 127.5f));
                }
            }
        }
    }

    /** Runs {@code warmup} untimed calls, then calls until {@code seconds} have passed (at least {@code minRuns}). */
    public static Stats measure(InferenceSession s, Map<String, Tensor> inputs, int warmup, double seconds, int minRuns) {
        return measure(s, inputs, null, warmup, seconds, minRuns);
    }

    /** As above; with {@code outputs} (direct, caller-owned) every call is {@code runInto(inputs, outputs)}. */
    public static Stats measure(InferenceSession s, Map<String, Tensor> inputs, Map<String, Tensor> outputs, int warmup,
            double seconds, int minRuns) {
        int batch = (int) inputs.values().iterator().next().dim(0);
        Runnable call = outputs == null ? () -> s.run(inputs) : () -> s.runInto(inputs, outputs);
        for (int i = 0; i < warmup; i++) {
            call.run();
        }
        boolean split = s.reportsStageTimes();
        double[] times = new double[1024];
        double[][] stages = new double[3][1024];
        int n = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        while (n < minRuns || System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            call.run();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (n == times.length) {
                times = Arrays.copyOf(times, n * 2);
                for (int k = 0; k < 3; k++) {
                    stages[k] = Arrays.copyOf(stages[k], n * 2);
                }
            }
            times[n] = ms;
            if (split) {
                double[] st = s.stageTimes().orElseThrow(() -> new IllegalStateException(
                        s.backendName() + " session reports stage times but gave none for a finished call"));
                for (int k = 0; k < 3; k++) {
                    stages[k][n] = st[k];
                }
            }
            n++;
        }
        double total = (System.nanoTime() - start) / 1e9;
        double[] sorted = Arrays.copyOf(times, n);
        Split sp = split ? split(times, stages, n) : null;
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        return new Stats(batch, n, percentile(sorted, 50), percentile(sorted, 95), mean, n * batch / total,
                percentile(sorted, 90), percentile(sorted, 99), sp);
    }

    private static Split split(double[] wall, double[][] stages, int n) {
        double[] gpu = new double[n];
        double[] over = new double[n];
        for (int i = 0; i < n; i++) {
            gpu[i] = stages[0][i] + stages[1][i] + stages[2][i];
            over[i] = Math.max(0, wall[i] - gpu[i]);
        }
        double wallP50 = median(Arrays.copyOf(wall, n));
        double overP50 = median(over);
        return new Split(median(Arrays.copyOf(stages[0], n)), median(Arrays.copyOf(stages[1], n)),
                median(Arrays.copyOf(stages[2], n)), median(gpu), overP50, wallP50 > 0 ? 100 * overP50 / wallP50 : 0);
    }

    private static double median(double[] v) {
        Arrays.sort(v);
        return percentile(v, 50);
    }

    /** Nearest-rank percentile of sorted values. */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
