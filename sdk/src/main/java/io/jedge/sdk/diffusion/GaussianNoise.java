package io.jedge.sdk.diffusion;

/**
 * A seeded standard normal generator whose output is bit-identical on every JVM.
 *
 * <p>Uniforms come from SplitMix64 (Steele, Lea and Flood; implemented here rather than taken from
 * {@link java.util.SplittableRandom}, whose algorithm is not part of its specification); normals
 * from the Box–Muller transform evaluated with {@link StrictMath}, since {@link Math#log} and
 * {@link Math#cos} may differ between JVMs by an ulp. Not thread-safe: use one instance per thread.
 *
 * <pre>{@code
 * float[] latents = new float[4 * 32 * 32];
 * new GaussianNoise(42).fill(latents);
 * }</pre>
 */
public final class GaussianNoise implements NoiseSource {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final double TWO_PI = 2 * Math.PI;

    private long state;
    private double spare;
    private boolean hasSpare;

    public GaussianNoise(long seed) {
        this.state = seed;
    }

    /**
     * A generator for stream {@code index} of a seed, independent of the others; the pipeline gives
     * each image of a batch its own stream so an image does not depend on the batch size.
     */
    public static GaussianNoise forStream(long seed, long index) {
        return new GaussianNoise(mix64(seed ^ mix64(index + GOLDEN_GAMMA)));
    }

    /** The next raw 64-bit SplitMix64 output. */
    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix64(state);
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in [0, 1) with 53 random bits. */
    public double nextUniform() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** The next N(0, 1) sample. */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        // 1 - u lies in (0, 1], so the logarithm is finite.
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - nextUniform()));
        double theta = TWO_PI * nextUniform();
        spare = r * StrictMath.sin(theta);
        hasSpare = true;
        return r * StrictMath.cos(theta);
    }

    @Override
    public void fill(float[] out) {
        fill(out, 0, out.length);
    }

    /** Overwrites {@code out[offset .. offset+length)} with fresh N(0, 1) samples. */
    public void fill(float[] out, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, out.length);
        for (int i = offset; i < offset + length; i++) {
            out[i] = (float) nextGaussian();
        }
    }
}
