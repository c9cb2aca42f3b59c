package io.jedge.sdk.diffusion;

import io.jedge.sdk.Tensor;

/**
 * Turns denoised latents into images (a VAE decoder, or TAESD's tiny one).
 *
 * <p>The pipeline divides the latents by its latent scaling factor before calling {@link #decode},
 * calls it only after the last denoising step, and closes the instance when it no longer needs it.
 */
public interface LatentDecoder extends AutoCloseable {
    /**
     * @param latents FLOAT32 {@code [B, C, h, w]}, unscaled (divided by the scaling factor)
     * @return FLOAT32 {@code [B, 3, H, W]} (typically {@code H = 8h}) in {@link #outputRange()}
     */
    Tensor decode(Tensor latents);

    /** The range the decoded pixels lie in; {@link PixelRange#MINUS_ONE_TO_ONE} by default. */
    default PixelRange outputRange() {
        return PixelRange.MINUS_ONE_TO_ONE;
    }

    /** Releases the model. The default does nothing. */
    @Override
    default void close() {
    }
}
