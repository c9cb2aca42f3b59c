/**
 * Attention in ONNX graphs: emitters that write attention layers for the model builders
 * (vanilla softmax, ELFATT), a finder that recognises attention as PyTorch exports it, the
 * training-free rewrites of a trained model's self-attention (ELFATT-SD, ToMe token merging, and
 * both) and the fidelity evaluation that chooses which blocks they may touch (measured through
 * {@link io.jedge.converters.compare.ModelComparator}; shapes from {@link io.jedge.converters.onnx.Shapes}).
 */
package io.jedge.converters.attention;
