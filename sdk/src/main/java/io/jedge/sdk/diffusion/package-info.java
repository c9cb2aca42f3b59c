/**
 * Backend-neutral latent diffusion: noise schedules ({@link io.jedge.sdk.diffusion.NoiseSchedule}),
 * samplers ({@link io.jedge.sdk.diffusion.Scheduler}: DDIM, Euler, Euler ancestral, DPM-Solver++(2M),
 * epsilon or v prediction), seeded noise that is identical on every JVM
 * ({@link io.jedge.sdk.diffusion.GaussianNoise}), classifier-free guidance, and the
 * {@link io.jedge.sdk.diffusion.LatentDiffusionPipeline} that runs a
 * {@link io.jedge.sdk.diffusion.Denoiser} (vanilla, and ELFATT-SD for the first steps) and a
 * {@link io.jedge.sdk.diffusion.LatentDecoder} to PNG; backends supply the two model interfaces.
 * Apps open a bundle as an {@link io.jedge.sdk.diffusion.ImageGenerator}
 * ({@code Jedge.loadGenerator}), whose {@link io.jedge.sdk.diffusion.GenerationDefaults} come from
 * the bundle's pipeline map.
 *
 * <pre>{@code
 * LatentDiffusionPipeline p = LatentDiffusionPipeline.builder()
 *         .denoiser(DenoiserKind.VANILLA, () -> myDenoiser)
 *         .decoder(() -> myDecoder)
 *         .build();
 * GenerationResult r = p.generate(GenerationOptions.builder()
 *         .classLabel(207).nullClass(1000).guidanceScale(4).steps(25).seed(1).build());
 * r.writePng(0, Path.of("out.png"));
 * }</pre>
 */
package io.jedge.sdk.diffusion;
