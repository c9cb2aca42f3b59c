package io.jedge.sdk.diffusion;

/** When a {@link LatentDiffusionPipeline} opens and closes its models. */
public enum Residency {
    /** Open each model on first use and keep it until the pipeline is closed: fastest for repeated generation. */
    KEEP_LOADED,
    /**
     * Keep at most one model open: the ELFATT-SD denoiser is closed before the vanilla one opens, the
     * denoisers before the decoder opens, and the decoder after decoding. For memory-short devices;
     * every generation reopens the models.
     */
    ONE_AT_A_TIME;
}
