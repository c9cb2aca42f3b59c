package io.jedge.runtime.bench;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures a session: warm-up, then timed calls for a bounded wall time. Used by
 * {@code jedge bench}, the selection's autotune and the power-mode benchmark.
 */
public final class LatencyBench {
    private LatencyBench() {
    }

    /** Latency percentiles and throughput of one (session, batch) pair. */
    public record Stats(int batch, int runs, double p50Ms, double p95Ms, double meanMs, double throughputPerSec) {
    }

    /** Seeded inputs matching the session's inputs with the batch dimension set to {@code batch}. */
    public static Map<String, Tensor> syntheticInputs(List<TensorSpec> inputs, int batch, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec s : inputs) {
            long[] shape = s.shapeArray();
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) {
                    if (i > 0) {
                        throw new IllegalArgumentException("input '" + s.name() + "' has a dynamic dimension " + i
                                + " besides the batch; give inputs explicitly");
                    }
                    shape[i] = batch;
                }
            }
            int n = Math.toIntExact(Tensor.elementCount(shape));
            if (s.dataType().equals("int64")) {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = r.nextInt(10);
                }
                out.put(s.name(), Tensor.ofLongs(shape, v));
            } else {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (r.nextDouble() * 2 - 1);
                }
                out.put(s.name(), Tensor.ofFloats(shape, v));
            }
        }
        return out;
    }

    /** Runs {@code warmup} untimed calls, then calls until {@code seconds} have passed (at least {@code minRuns}). */
    public static Stats measure(InferenceSession s, Map<String, Tensor> inputs, int warmup, double seconds, int minRuns) {
        int batch = (int) inputs.values().iterator().next().dim(0);
        for (int i = 0; i < warmup; i++) {
            s.run(inputs);
        }
        double[] times = new double[1024];
        int n = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        while (n < minRuns || System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            s.run(inputs);
            if (n == times.length) {
                times = Arrays.copyOf(times, n * 2);
            }
            times[n++] = (System.nanoTime() - t0) / 1e6;
        }
        double total = (System.nanoTime() - start) / 1e9;
        double[] sorted = Arrays.copyOf(times, n);
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        return new Stats(batch, n, percentile(sorted, 50), percentile(sorted, 95), mean, n * batch / total);
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
