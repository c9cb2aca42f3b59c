package io.jedge.converters.models;

/**
 * The decoder of TAESD, the tiny autoencoder for Stable Diffusion (madebyollin/taesd): 64-channel
 * convolution blocks and three nearest ×2 upsamplings, latents → RGB at 8× the latent side.
 *
 * @param latentSize     latent side h = w; 0 leaves height and width dynamic
 * @param latentChannels 4 for SD 1.x/2.x/XL latents ({@code taesd}, {@code taesdxl}); 16 for {@code taesd3}/{@code taef1}
 * @param clampOutput    clip the image to [0, 1] (TAESD's own output only roughly stays there)
 */
public record TaesdDecoderConfig(int latentSize, int latentChannels, boolean clampOutput) {
    /** Width of every hidden layer of the TAESD decoder. */
    public static final int CHANNELS = 64;
    /** Image side / latent side. */
    public static final int UPSCALE = 8;
    /**
     * The factor latents are multiplied by before this decoder: 1.0, as TAESD decodes the raw
     * (unscaled) SD latent, whereas SD's KL VAE expects latents divided by 0.18215 first.
     */
    public static final double LATENT_SCALING_FACTOR = 1.0;

    public TaesdDecoderConfig {
        if (latentSize < 0) {
            throw new IllegalArgumentException("latent size " + latentSize + " must be positive, or 0 for dynamic height and width");
        }
        if (latentChannels <= 0) {
            throw new IllegalArgumentException("latent channels " + latentChannels + " must be at least 1");
        }
    }

    /** TAESD for SD 1.x latents (4 channels) at the given latent side, output clamped to [0, 1]. */
    public static TaesdDecoderConfig sd(int latentSize) {
        return new TaesdDecoderConfig(latentSize, 4, true);
    }

    public boolean dynamicSize() {
        return latentSize == 0;
    }

    public TaesdDecoderConfig withClampOutput(boolean clamp) {
        return new TaesdDecoderConfig(latentSize, latentChannels, clamp);
    }
}
