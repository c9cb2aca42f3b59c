package io.jedge.sdk.diffusion;

/** Which variant of a denoiser a {@link LatentDiffusionPipeline} step runs. */
public enum DenoiserKind {
    /** The denoiser as trained (full softmax attention). */
    VANILLA,
    /**
     * The training-free ELFATT-SD rewrite (agent attention plus block-local softmax at the
     * highest-resolution level); used for the first fraction of the steps only.
     */
    ELFATT_SD;
}
