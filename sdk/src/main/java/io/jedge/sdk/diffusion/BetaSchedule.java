package io.jedge.sdk.diffusion;

/** How the per-timestep noise variances (betas) of a diffusion model were laid out in training. */
public enum BetaSchedule {
    /** {@code betas = linspace(beta0, beta1, T)}: DDPM and DiT (1e-4 to 0.02). */
    LINEAR,
    /** {@code betas = linspace(sqrt(beta0), sqrt(beta1), T)^2}: Stable Diffusion (0.00085 to 0.012). */
    SCALED_LINEAR,
    /**
     * Nichol and Dhariwal's cosine schedule ("squaredcos_cap_v2"): {@code alphaBar(s) =
     * cos((s + 0.008) / 1.008 * pi / 2)^2}, {@code beta_i = min(1 - alphaBar((i+1)/T) / alphaBar(i/T), 0.999)}.
     * The beta range is ignored.
     */
    SQUAREDCOS_CAP_V2;
}
