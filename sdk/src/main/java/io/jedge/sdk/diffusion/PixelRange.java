package io.jedge.sdk.diffusion;

/** The value range a {@link LatentDecoder} emits for pixels. Values outside it are clamped when written. */
public enum PixelRange {
    /** {@code [-1, 1]}: VAE decoders of Stable Diffusion and DiT. */
    MINUS_ONE_TO_ONE,
    /** {@code [0, 1]}: e.g. TAESD. */
    ZERO_TO_ONE;

    /** Maps one value to an 8-bit channel, rounding to nearest and clamping. */
    int toByte(float v) {
        double unit = this == MINUS_ONE_TO_ONE ? (v + 1.0) * 0.5 : v;
        long b = Math.round(unit * 255.0);
        return (int) Math.max(0, Math.min(255, b));
    }
}
