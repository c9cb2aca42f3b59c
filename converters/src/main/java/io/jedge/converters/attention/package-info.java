/**
 * Attention in ONNX graphs: emitters that write attention layers for the model builders
 * (vanilla softmax, ELFATT), a finder that recognises attention as PyTorch exports it, and the
 * training-free ELFATT-SD rewrite with its fidelity evaluation (measured through
 * {@link io.jedge.converters.compare.ModelComparator}; shapes from {@link io.jedge.converters.onnx.Shapes}).
 */
package io.jedge.converters.attention;
