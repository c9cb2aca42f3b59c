/**
 * The one comparator and the one metrics type. {@link io.jedge.converters.compare.Metrics} defines
 * cosine, SQNR, relative L2, max/mean absolute error, max relative error and top-1 agreement once;
 * {@link io.jedge.converters.compare.MetricsAccumulator} sums them over samples; and
 * {@link io.jedge.converters.compare.ModelComparator#run} runs a reference and a candidate
 * session on the same inputs and measures chosen tensors. {@code jedge compare} (with
 * {@code --layerwise}, the first tensor where two variants part), the attention fidelity floor,
 * the FP16/INT8 accuracy gate, the diffusion reports and the TensorRT proof all compare here.
 * {@link io.jedge.converters.compare.SessionFactory#open} is the one way the converters run a
 * model: an in-memory ONNX Runtime session, no temporary file.
 */
package io.jedge.converters.compare;
