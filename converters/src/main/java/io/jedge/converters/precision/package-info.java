/**
 * Precision conversion for the converter: FP16 mixed precision ({@link io.jedge.converters.precision.Fp16Converter},
 * an explicit kept-FP32 list, Casts only at precision boundaries) and INT8 post-training quantization in QDQ form
 * ({@link io.jedge.converters.precision.Int8Quantizer}: calibration in ONNX Runtime with progress and clean
 * interruption, streaming |x| histograms, max / percentile / KL-entropy calibrators, per-channel int8 weights,
 * per-tensor activations, Q/DQ placement for TensorRT or ONNX Runtime CPU, default ViT/diffusion exclusions and a
 * validation loop), plus the accuracy check against FP32 (cosine, SQNR, max error, top-1 agreement, per-layer SQNR)
 * that gates every variant {@code jedge convert} writes ({@link io.jedge.converters.precision.PrecisionPasses}).
 * The algorithms follow {@code shared/docs/quantization.md}.
 * The accuracy check measures through {@link io.jedge.converters.compare.ModelComparator} and
 * {@link io.jedge.converters.compare.Metrics}, where every metric is defined; models run as in-memory
 * ONNX Runtime sessions ({@link io.jedge.converters.compare.SessionFactory#open}) and tensor types come
 * from {@link io.jedge.converters.onnx.Shapes#runtimeTypes}.
 */
package io.jedge.converters.precision;
