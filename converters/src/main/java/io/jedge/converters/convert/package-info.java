/**
 * Conversion of an ONNX model into a bundle of variants: the library behind {@code jedge convert}.
 * An {@code AttentionVariant} is one attention form of the whole model (kept, or rewritten to ELFATT-SD);
 * how a single attention layer is emitted is {@link io.jedge.converters.attention.AttentionForm}.
 * The diffusion fidelity reports keep their own inputs (seeded latents at fixed timesteps) and measure
 * through {@link io.jedge.converters.compare.ModelComparator}.
 */
package io.jedge.converters.convert;
