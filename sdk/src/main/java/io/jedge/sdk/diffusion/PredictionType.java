package io.jedge.sdk.diffusion;

/** What the denoiser was trained to predict from {@code x_t = sqrt(a) x0 + sqrt(1-a) eps}. */
public enum PredictionType {
    /** The added noise {@code eps} (DDPM, DiT, Stable Diffusion 1.x). */
    EPSILON,
    /** The velocity {@code v = sqrt(a) eps - sqrt(1-a) x0} (Salimans and Ho; Stable Diffusion 2.x 768). */
    V_PREDICTION;
}
