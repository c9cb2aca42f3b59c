package io.jedge.converters.models;

import java.util.Locale;

/**
 * A latent DiT (Peebles &amp; Xie, "Scalable Diffusion Models with Transformers"): patchified
 * latents, sinusoidal timestep embedding, class embedding, adaLN-Zero blocks, unpatchify.
 *
 * @param latentSize     latent side H = W (32 for 256 px images with SD's VAE, 64 for 512 px)
 * @param patch          patch side p; tokens = (latentSize / p)²
 * @param hidden         token width
 * @param depth          number of DiT blocks
 * @param heads          attention heads
 * @param mlpRatio       MLP hidden width / token width (4 in DiT)
 * @param latentChannels latent channels C (4 for SD's VAE and TAESD)
 * @param classes        number of classes; 0 builds an unconditional model without the class input
 * @param learnSigma     output 2C channels (noise, then variance interpolation) as DiT's checkpoints do
 */
public record DitConfig(int latentSize, int patch, int hidden, int depth, int heads, int mlpRatio, int latentChannels,
        int classes, boolean learnSigma) {
    /** Width of the sinusoidal timestep embedding fed to {@code t_embedder.mlp.0} (DiT's frequency_embedding_size). */
    public static final int FREQUENCY_DIM = 256;

    public DitConfig {
        check(latentSize > 0 && patch > 0 && latentSize % patch == 0,
                "latent size " + latentSize + " must be a positive multiple of patch " + patch);
        check(hidden > 0 && heads > 0 && hidden % heads == 0, "hidden " + hidden + " must be a positive multiple of heads " + heads);
        check(hidden % 4 == 0, "hidden " + hidden + " must be a multiple of 4 (2-D sin-cos position embedding)");
        check(depth > 0, "depth " + depth + " must be at least 1");
        check(mlpRatio > 0, "mlp ratio " + mlpRatio + " must be at least 1");
        check(latentChannels > 0, "latent channels " + latentChannels + " must be at least 1");
        check(classes >= 0, "classes " + classes + " must be 0 (unconditional) or more");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public int grid() {
        return latentSize / patch;
    }

    public int tokens() {
        return grid() * grid();
    }

    public boolean conditional() {
        return classes > 0;
    }

    /** The class id that selects the learned "no class" embedding for classifier-free guidance. */
    public int nullClass() {
        if (!conditional()) {
            throw new IllegalStateException("an unconditional DiT has no class input and no null class");
        }
        return classes;
    }

    public int outChannels() {
        return learnSigma ? 2 * latentChannels : latentChannels;
    }

    /**
     * DiT's presets with patch 2 at latent 32 (256 px), 1000 ImageNet classes, learn_sigma:
     * {@code s} (DiT-S/2: 384 wide, 12 deep, 6 heads), {@code b} (DiT-B/2: 768, 12, 12), and
     * {@code tiny} (64 wide, 2 deep, 2 heads) for tests and demos, and {@code xl} (DiT-XL/2: 1152, 28,
     * 16), the size of the checkpoints Meta published ({@code DiT-XL-2-256x256.pt} at latent 32,
     * {@code DiT-XL-2-512x512.pt} at latent 64; 675M parameters, so build it with a few GB of heap).
     * {@code dit-s/2}, {@code dit-b/2} and {@code dit-xl/2} are accepted too.
     */
    public static DitConfig preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tiny" -> new DitConfig(32, 2, 64, 2, 2, 4, 4, 1000, true);
            case "s", "dit-s/2", "s/2" -> new DitConfig(32, 2, 384, 12, 6, 4, 4, 1000, true);
            case "b", "dit-b/2", "b/2" -> new DitConfig(32, 2, 768, 12, 12, 4, 4, 1000, true);
            case "xl", "dit-xl/2", "xl/2" -> new DitConfig(32, 2, 1152, 28, 16, 4, 4, 1000, true);
            default -> throw new IllegalArgumentException("unknown DiT preset '" + name + "', expected tiny, s, b or xl");
        };
    }

    public DitConfig withLatentSize(int s) {
        return new DitConfig(s, patch, hidden, depth, heads, mlpRatio, latentChannels, classes, learnSigma);
    }

    /** Width, depth and heads at once (null keeps this one's), checked together: one alone may not fit the others. */
    public DitConfig withSize(Integer h, Integer d, Integer n) {
        return new DitConfig(latentSize, patch, h != null ? h : hidden, d != null ? d : depth, n != null ? n : heads, mlpRatio,
                latentChannels, classes, learnSigma);
    }

    public DitConfig withHidden(int h) {
        return new DitConfig(latentSize, patch, h, depth, heads, mlpRatio, latentChannels, classes, learnSigma);
    }

    public DitConfig withDepth(int d) {
        return new DitConfig(latentSize, patch, hidden, d, heads, mlpRatio, latentChannels, classes, learnSigma);
    }

    public DitConfig withHeads(int h) {
        return new DitConfig(latentSize, patch, hidden, depth, h, mlpRatio, latentChannels, classes, learnSigma);
    }

    /** 0 for an unconditional model. */
    public DitConfig withClasses(int c) {
        return new DitConfig(latentSize, patch, hidden, depth, heads, mlpRatio, latentChannels, c, learnSigma);
    }

    public DitConfig withLearnSigma(boolean l) {
        return new DitConfig(latentSize, patch, hidden, depth, heads, mlpRatio, latentChannels, classes, l);
    }
}
