/**
 * Conversion of an ONNX model into a bundle of variants: the library behind {@code jedge convert}.
 * An {@code AttentionVariant} is one attention form of the whole model (kept, or rewritten to ELFATT-SD);
 * how a single attention layer is emitted is {@link io.jedge.converters.attention.AttentionForm}.
 */
package io.jedge.converters.convert;
