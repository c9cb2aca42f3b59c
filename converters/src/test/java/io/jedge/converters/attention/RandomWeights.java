package io.jedge.converters.attention;

import io.jedge.converters.models.WeightSource;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Uniform random weights in [-scale, scale] for every name, biases included (so padding with the bias is exercised). */
public final class RandomWeights implements WeightSource {
    private final long seed;
    private final double scale;

    public RandomWeights(long seed, double scale) {
        this.seed = seed;
        this.scale = scale;
    }

    @Override
    public float[] get(String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        SplittableRandom r = new SplittableRandom(seed * 31 + new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).hashCode());
        float[] out = new float[Math.toIntExact(n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return out;
    }

    @Override
    public boolean has(String name) {
        return true;
    }

    @Override
    public String describe() {
        return "uniform random ±" + scale + " (seed " + seed + ")";
    }

    /** A [batch][tokens][dim] input flattened, deterministic. */
    public static float[] input(long seed, int batch, int tokens, int dim) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[batch * tokens * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Sample {@code i} of a flattened batch as [tokens][dim]. */
    public static float[][] sample(float[] x, int i, int tokens, int dim) {
        float[][] s = new float[tokens][dim];
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(x, (i * tokens + t) * dim, s[t], 0, dim);
        }
        return s;
    }
}
