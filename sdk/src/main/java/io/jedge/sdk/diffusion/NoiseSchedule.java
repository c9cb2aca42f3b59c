package io.jedge.sdk.diffusion;

import java.util.Arrays;

/**
 * The training noise schedule of a diffusion model: {@code T} betas and their cumulative products
 * {@code alphaBar_t = prod_{s<=t} (1 - beta_s)}.
 *
 * <p>Values are computed in float64 (diffusers uses float32, which differs in about the seventh
 * digit). Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * NoiseSchedule dit = NoiseSchedule.linear(1000, 1e-4, 0.02);
 * NoiseSchedule sd = NoiseSchedule.of(BetaSchedule.SCALED_LINEAR, 1000, 0.00085, 0.012);
 * }</pre>
 */
public final class NoiseSchedule {
    /** Training steps used by DDPM, DiT and Stable Diffusion. */
    public static final int DEFAULT_TRAIN_STEPS = 1000;
    private static final double COSINE_MAX_BETA = 0.999;

    private final double[] betas;
    private final double[] alphasCumprod;

    private NoiseSchedule(double[] betas) {
        this.betas = betas;
        this.alphasCumprod = new double[betas.length];
        double prod = 1.0;
        for (int i = 0; i < betas.length; i++) {
            prod *= 1.0 - betas[i];
            alphasCumprod[i] = prod;
        }
    }

    /** DiT's default: linear betas from 1e-4 to 0.02 over 1000 steps. */
    public static NoiseSchedule defaultLinear() {
        return linear(DEFAULT_TRAIN_STEPS, 1e-4, 0.02);
    }

    public static NoiseSchedule linear(int trainSteps, double beta0, double beta1) {
        return of(BetaSchedule.LINEAR, trainSteps, beta0, beta1);
    }

    public static NoiseSchedule scaledLinear(int trainSteps, double beta0, double beta1) {
        return of(BetaSchedule.SCALED_LINEAR, trainSteps, beta0, beta1);
    }

    public static NoiseSchedule cosine(int trainSteps) {
        return of(BetaSchedule.SQUAREDCOS_CAP_V2, trainSteps, 0, 0);
    }

    /** Builds a schedule of the given kind; {@code beta0} and {@code beta1} are ignored for the cosine schedule. */
    public static NoiseSchedule of(BetaSchedule kind, int trainSteps, double beta0, double beta1) {
        if (trainSteps < 1) {
            throw new IllegalArgumentException("noise schedule trainSteps: " + trainSteps + ", expected >= 1");
        }
        double[] b = new double[trainSteps];
        switch (kind) {
            case LINEAR -> {
                checkRange(beta0, beta1);
                linspace(beta0, beta1, b);
            }
            case SCALED_LINEAR -> {
                checkRange(beta0, beta1);
                linspace(Math.sqrt(beta0), Math.sqrt(beta1), b);
                for (int i = 0; i < b.length; i++) {
                    b[i] *= b[i];
                }
            }
            case SQUAREDCOS_CAP_V2 -> {
                for (int i = 0; i < trainSteps; i++) {
                    double t1 = (double) i / trainSteps;
                    double t2 = (double) (i + 1) / trainSteps;
                    b[i] = Math.min(1.0 - cosineAlphaBar(t2) / cosineAlphaBar(t1), COSINE_MAX_BETA);
                }
            }
        }
        return new NoiseSchedule(b);
    }

    /** A schedule from explicit betas, each in (0, 1). */
    public static NoiseSchedule fromBetas(double[] betas) {
        if (betas.length == 0) {
            throw new IllegalArgumentException("noise schedule betas: empty, expected at least one");
        }
        for (int i = 0; i < betas.length; i++) {
            if (!(betas[i] > 0 && betas[i] < 1)) {
                throw new IllegalArgumentException("noise schedule beta[" + i + "]: " + betas[i] + ", expected in (0, 1)");
            }
        }
        return new NoiseSchedule(betas.clone());
    }

    private static double cosineAlphaBar(double s) {
        double c = Math.cos((s + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    private static void checkRange(double beta0, double beta1) {
        if (!(beta0 > 0 && beta1 < 1 && beta0 <= beta1)) {
            throw new IllegalArgumentException(
                    "noise schedule beta range: [" + beta0 + ", " + beta1 + "], expected 0 < beta0 <= beta1 < 1");
        }
    }

    private static void linspace(double from, double to, double[] out) {
        int n = out.length;
        if (n == 1) {
            out[0] = from;
            return;
        }
        for (int i = 0; i < n; i++) {
            out[i] = from + (to - from) * i / (n - 1);
        }
    }

    /** Number of training timesteps {@code T}; valid timesteps are {@code 0..T-1}. */
    public int trainSteps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[check(t)];
    }

    /** {@code alphaBar_t}, the signal fraction of {@code x_t}. */
    public double alphaCumprod(int t) {
        return alphasCumprod[check(t)];
    }

    /** The noise-to-signal ratio {@code sqrt((1 - alphaBar_t) / alphaBar_t)} used by sigma-space samplers. */
    public double sigma(int t) {
        double a = alphaCumprod(t);
        return Math.sqrt((1.0 - a) / a);
    }

    /** A copy of all {@code alphaBar_t}. */
    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** A copy of all betas. */
    public double[] betas() {
        return betas.clone();
    }

    private int check(int t) {
        if (t < 0 || t >= betas.length) {
            throw new IllegalArgumentException("timestep " + t + " outside the schedule's [0, " + (betas.length - 1) + "]");
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoiseSchedule other && Arrays.equals(betas, other.betas);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(betas);
    }

    @Override
    public String toString() {
        return "NoiseSchedule[T=" + betas.length + ", beta " + betas[0] + ".." + betas[betas.length - 1] + "]";
    }
}
