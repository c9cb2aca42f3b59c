package io.jedge.converters.attention;

import io.jedge.converters.models.WeightSource;
import io.jedge.converters.onnx.GraphBuilder;

/**
 * Emits one attention layer — qkv projection, the attention itself and the output projection —
 * into a graph. Model builders call it per block; implementations decide the attention form
 * (vanilla softmax, ELFATT, window, ...).
 */
public interface AttentionEmitter {
    /**
     * @param x      normalised tokens, shape [N, tokens, dim]
     * @param prefix weight-name prefix, e.g. {@code blocks.3.attn} ({@code .qkv.weight}, {@code .proj.weight}, ...)
     * @return the layer output after the output projection, shape [N, tokens, dim]
     */
    String emit(GraphBuilder b, String x, String prefix, WeightSource weights, TokenLayout layout);

    /** The attention kind recorded in bundles for models built with this emitter. */
    io.jedge.sdk.bundle.AttentionKind kind();

    /**
     * Opset imports (domain → minimum version) the emitted nodes need beyond the builder's
     * default-domain opset 17, e.g. {@code com.microsoft → 1} for ONNX Runtime's fused
     * attention; builders merge them into the model, keeping the higher version per domain.
     */
    default java.util.Map<String, Long> opsets() {
        return java.util.Map.of();
    }
}
