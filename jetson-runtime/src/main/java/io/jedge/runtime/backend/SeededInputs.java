package io.jedge.runtime.backend;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.diffusion.GaussianNoise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seeded input tensors for a model's {@link TensorSpec}s, the one way jedge makes inputs when none
 * are given (benchmarks, compare, fidelity floors, seeded calibration, the TensorRT proof): float
 * inputs standard normal, int64 inputs uniform in [0, {@value #INT_BOUND}). Values come from
 * {@link GaussianNoise}, so a seed gives the same tensors on every JVM.
 *
 * <pre>{@code
 * Map<String, Tensor> feed = SeededInputs.feed(session.inputs(), 8, 42);
 * List<Map<String, Tensor>> feeds = SeededInputs.feeds(session.inputs(), 16, 1, 7); // feed j: stream j of seed 7
 * }</pre>
 */
public final class SeededInputs {
    /** int64 inputs (ids, labels, timesteps) are drawn from [0, INT_BOUND). */
    public static final int INT_BOUND = 10;

    private SeededInputs() {
    }

    /** One feed of batch {@code batch} from {@code seed}. */
    public static Map<String, Tensor> feed(List<TensorSpec> specs, int batch, long seed) {
        return feed(specs, batch, new GaussianNoise(seed));
    }

    /**
     * {@code count} feeds of batch {@code batch}; feed {@code j} comes from stream {@code j} of
     * {@code seed} ({@link GaussianNoise#forStream}), so it does not depend on {@code count}.
     */
    public static List<Map<String, Tensor>> feeds(List<TensorSpec> specs, int count, int batch, long seed) {
        if (count < 1) {
            throw new IllegalArgumentException("seeded inputs: count " + count + ", expected 1 or more");
        }
        List<Map<String, Tensor>> out = new ArrayList<>(count);
        for (int j = 0; j < count; j++) {
            out.add(feed(specs, batch, GaussianNoise.forStream(seed, j)));
        }
        return out;
    }

    /** One feed drawn from {@code rng}, for callers that draw more from the same stream afterwards. */
    public static Map<String, Tensor> feed(List<TensorSpec> specs, int batch, GaussianNoise rng) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec s : specs) {
            long[] shape = shape(s, batch);
            int n = Math.toIntExact(Tensor.elementCount(shape));
            if (s.dataType().equals("int64")) {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (long) (rng.nextUniform() * INT_BOUND);
                }
                out.put(s.name(), Tensor.ofLongs(shape, v));
            } else {
                float[] v = new float[n];
                rng.fill(v);
                out.put(s.name(), Tensor.ofFloats(shape, v));
            }
        }
        return out;
    }

    /**
     * The input's shape with a dynamic first dimension (the batch) set to {@code batch}; a fixed
     * first dimension stays as it is.
     *
     * @throws IllegalArgumentException for any other dynamic dimension, or a batch below 1
     */
    public static long[] shape(TensorSpec spec, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("seeded inputs: batch " + batch + ", expected 1 or more");
        }
        long[] shape = spec.shapeArray();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                if (i > 0) {
                    throw new IllegalArgumentException("input '" + spec.name() + "': dimension " + i + " of " + spec.shape()
                            + " is dynamic; only a dynamic batch can be seeded, give the inputs explicitly");
                }
                shape[i] = batch;
            }
        }
        return shape;
    }
}
