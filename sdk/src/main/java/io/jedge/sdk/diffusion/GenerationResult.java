package io.jedge.sdk.diffusion;

import io.jedge.sdk.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a generation produced.
 *
 * @param image        FLOAT32 {@code [B, 3, H, W]} from the decoder, in {@code pixelRange}
 * @param pixelRange   the range the decoder emitted
 * @param latents      FLOAT32 {@code [B, C, h, w]} denoised latents, before dividing by the scaling factor
 * @param elfattSteps  steps run by the ELFATT-SD denoiser
 * @param vanillaSteps steps run by the vanilla denoiser
 * @param elapsed      wall time of the whole call, decoding included
 */
public record GenerationResult(Tensor image, PixelRange pixelRange, Tensor latents, int elfattSteps,
                               int vanillaSteps, Duration elapsed) {

    /** Number of images. */
    public int count() {
        return Math.toIntExact(image.dim(0));
    }

    /** Image {@code index} as an 8-bit RGB image. */
    public BufferedImage toBufferedImage(int index) {
        return ImageTensors.toBufferedImage(image, index, pixelRange);
    }

    /** Writes image {@code index} as a PNG file. */
    public void writePng(int index, Path file) throws IOException {
        ImageTensors.writePng(image, index, pixelRange, file);
    }
}
