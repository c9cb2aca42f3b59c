/**
 * Attention in ONNX graphs: {@link io.jedge.converters.attention.AttentionFinder} recognises
 * self-attention blocks as PyTorch exporters and ONNX Runtime write them (decomposed MatMul/Softmax,
 * Swin window attention with biases and masks, the opset-23 {@code Attention} op, the
 * {@code com.microsoft} fused ops) and reports what it cannot understand;
 * {@link io.jedge.converters.attention.ElfattSdRewrite} turns chosen blocks into the training-free
 * ELFATT-SD form (agent attention on half the heads, block-local softmax on the other half) with the
 * model's own projections; {@link io.jedge.converters.attention.FidelityEvaluator} measures the
 * rewrite against the original in ONNX Runtime and picks layers under a fidelity bound; and
 * {@link io.jedge.converters.attention.LowerAttentionOp} lowers the {@code Attention} op for engines
 * that cannot parse it.
 */
package io.jedge.converters.attention;
