package io.jedge.converters.models;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic random weights in the style of timm's initialisation: truncated normal (std 0.02)
 * for projections and embeddings, ones for norm scales, zeros for biases. Each tensor's values
 * depend only on the seed and the tensor's name, so adding a layer does not change the others.
 */
public final class SeededWeights implements WeightSource {
    private final long seed;
    private final double std;

    public SeededWeights(long seed) {
        this(seed, 0.02);
    }

    public SeededWeights(long seed, double std) {
        this.seed = seed;
        this.std = std;
    }

    @Override
    public float[] get(String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] out = new float[Math.toIntExact(n)];
        String leaf = name.substring(name.lastIndexOf('.') + 1);
        boolean norm = name.contains("norm") || name.contains(".ln") || name.startsWith("ln");
        if (leaf.equals("bias") || leaf.equals("beta")) {
            return out;
        }
        if (norm && (leaf.equals("weight") || leaf.equals("gamma"))) {
            java.util.Arrays.fill(out, 1f);
            return out;
        }
        SplittableRandom r = new SplittableRandom(seed ^ fnv(name));
        for (int i = 0; i < out.length; i++) {
            double g;
            do {
                g = gaussian(r);
            } while (Math.abs(g) > 2.0); // truncated at ±2σ, like trunc_normal_
            out[i] = (float) (g * std);
        }
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public boolean has(String name) {
        return true;
    }

    @Override
    public String describe() {
        return "seeded random (seed " + seed + ")";
    }
}
