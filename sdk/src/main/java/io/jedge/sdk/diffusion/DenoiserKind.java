package io.jedge.sdk.diffusion;

/** Which variant of a denoiser a {@link LatentDiffusionPipeline} step runs. */
public enum DenoiserKind {
    /** The denoiser as trained (full softmax attention). */
    VANILLA,
    /**
     * A training-free approximation of the denoiser: the ELFATT-SD rewrite (agent attention plus
     * block-local softmax), ToMe token merging, or both; used for the first fraction of the steps only.
     */
    ELFATT_SD;
}
