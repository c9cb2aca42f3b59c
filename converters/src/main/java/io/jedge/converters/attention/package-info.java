/**
 * Attention in ONNX graphs: emitters that write attention layers for the model builders
 * (vanilla softmax, ELFATT), a finder that recognises attention as PyTorch exports it, and the
 * training-free ELFATT-SD rewrite with its fidelity evaluation.
 */
package io.jedge.converters.attention;
