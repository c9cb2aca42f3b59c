package io.jedge.sdk.diffusion;

/** Fills arrays with independent standard normal samples. Implementations are not thread-safe. */
@FunctionalInterface
public interface NoiseSource {
    /** Overwrites every element of {@code out} with a fresh N(0, 1) sample. */
    void fill(float[] out);
}
