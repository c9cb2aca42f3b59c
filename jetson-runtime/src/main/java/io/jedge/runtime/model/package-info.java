/**
 * The runtime behind the app API: detects the device, selects a variant, opens it on a backend,
 * batches requests, and re-selects when the power mode changes. For latent-diffusion bundles,
 * {@link io.jedge.runtime.model.DiffusionGenerator} selects the vanilla and ELFATT-SD denoisers and
 * the decoder and runs them, through {@link io.jedge.runtime.model.SessionDenoiser} and
 * {@link io.jedge.runtime.model.SessionDecoder}, in the sdk's diffusion pipeline.
 *
 * <p>{@link io.jedge.runtime.model.Environment} is the one way to ask "where am I": live on this
 * host, or a {@link io.jedge.runtime.model.SimulatedEnvironment} for {@code --simulate} and tests.
 */
package io.jedge.runtime.model;
