package io.jedge.sdk.diffusion;

import java.time.Duration;

/**
 * Where a generation stands after a denoising step.
 *
 * @param step       steps done, {@code 1..totalSteps}
 * @param totalSteps steps in this generation
 * @param timestep   the training timestep the step denoised at
 * @param denoiser   which denoiser variant ran the step
 * @param elapsed    time since the generation started
 * @param remaining  estimate of the time the remaining steps take (decoding not included)
 */
public record Progress(int step, int totalSteps, long timestep, DenoiserKind denoiser, Duration elapsed, Duration remaining) {
}
