/**
 * Precision conversion for the converter: the numeric core of INT8 post-training quantization
 * (streaming |x| histograms, max / percentile / KL-entropy calibrators, symmetric and asymmetric
 * scale and zero-point rules, per-channel weight quantization with ONNX QuantizeLinear rounding)
 * and the accuracy metrics (cosine, SQNR, max errors, top-1 agreement) that gate a quantized or
 * FP16 variant. The algorithms follow {@code shared/docs/quantization.md} §1.3–1.4 and §6.2–6.3;
 * nothing here reads or edits an ONNX graph.
 */
package io.jedge.converters.precision;
