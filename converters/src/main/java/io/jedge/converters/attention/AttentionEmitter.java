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
}
