package io.jedge.converters.attention;

import java.util.List;

/**
 * One attention block found in a graph by {@link AttentionFinder}. Tensor and node names refer to
 * the graph at the time it was searched. A dimension of -1 means it could not be determined
 * statically (usually because it depends on a dynamic batch).
 *
 * @param index            position in the finder's list (graph order); the {@code --layers} index
 * @param layer            readable label, e.g. {@code /blocks/blocks.0/attn} or {@code attn.3}
 * @param form             how the exporter wrote it
 * @param node             the Softmax node (decomposed forms) or the fused attention node
 * @param nodes            every node of the pattern: scale Muls, QKᵀ/PV MatMuls, bias Adds, Softmax
 * @param query            Q before any scaling: (B,h,N,d) for decomposed and 4-D forms, (B,N,C) for packed
 *                         forms; for {@code ms-attention} the node's input activations
 * @param key              K before scaling, (B,h,L,d) (or (B,h,d,L) when {@code keyTransposed});
 *                         for {@code ms-attention} the packed QKV weight
 * @param value            V, (B,h,L,d) or packed; for {@code ms-attention} the packed QKV bias ("" if none)
 * @param output           the attention result the rewrite replaces: PV MatMul output or fused node output
 * @param outputProjection the MatMul that applies the output projection, or "" when not found
 * @param tokens           query tokens N
 * @param keyTokens        key tokens L
 * @param heads            heads h
 * @param headDim          head size d
 * @param scale            logit scale, every factor on Q, K and QKᵀ multiplied; NaN when not constant
 * @param fused            one op computes the whole attention
 * @param bias             an additive constant bias is applied to the logits (Swin relative position bias)
 * @param mask             a mask is applied (shifted-window mask, padding mask, causal)
 * @param selfAttention    Q and K are projected from the same tensor
 * @param keyTransposed    {@code key} is laid out (B,h,d,L), as the exporter transposed it before the head split
 * @param gridHeight       token grid rows for pooling agents, -1 when the tokens form no known grid
 * @param gridWidth        token grid columns, -1 when unknown
 * @param prefixTokens     tokens before the grid (class token), kept out of agent pooling
 * @param supported        the ELFATT-SD rewrite can convert this block
 * @param note             why it is not supported, why it was not recognised, or "" when supported
 */
public record AttentionBlock(int index, String layer, Form form, String node, List<String> nodes, String query, String key,
        String value, String output, String outputProjection, long tokens, long keyTokens, long heads, long headDim,
        double scale, boolean fused, boolean bias, boolean mask, boolean selfAttention, boolean keyTransposed,
        long gridHeight, long gridWidth, int prefixTokens, boolean supported, String note) {

    public AttentionBlock {
        nodes = List.copyOf(nodes);
        note = note == null ? "" : note;
        outputProjection = outputProjection == null ? "" : outputProjection;
    }

    /** How an attention block appears in the graph. */
    public enum Form {
        /** TorchScript exporter: MatMul → Mul(scale) → Softmax → MatMul, scale from Shape arithmetic. */
        LEGACY_DECOMPOSED("legacy-decomposed"),
        /** Dynamo exporter (or a hand-written graph): constant scales on Q and/or K or the logits. */
        DYNAMO_DECOMPOSED("dynamo-decomposed"),
        /** ONNX {@code Attention} (opset 23). */
        ONNX_ATTENTION("onnx-attention"),
        /** ONNX Runtime {@code com.microsoft::MultiHeadAttention}. */
        MS_MHA("ms-mha"),
        /** ONNX Runtime {@code com.microsoft::Attention} (packed QKV weights inside the op). */
        MS_ATTENTION("ms-attention"),
        /** Decomposed attention with an additive bias on the logits (Swin window attention). */
        WINDOW_BIASED("window-biased"),
        /** Attention-like (Softmax over a product of two activations) but not understood. */
        UNRECOGNISED("unrecognised");

        private final String id;

        Form(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /** A copy with another support verdict. */
    AttentionBlock withSupport(boolean supported, String note) {
        return new AttentionBlock(index, layer, form, node, nodes, query, key, value, output, outputProjection, tokens,
                keyTokens, heads, headDim, scale, fused, bias, mask, selfAttention, keyTransposed, gridHeight, gridWidth,
                prefixTokens, supported, note);
    }

    /** This block as seen on {@code n} tokens with no grid (after token merging), for emitters that read the token count. */
    AttentionBlock withTokens(long n) {
        return new AttentionBlock(index, layer, form, node, nodes, query, key, value, output, outputProjection, n, n, heads,
                headDim, scale, fused, bias, mask, selfAttention, keyTransposed, -1, -1, 0, supported, note);
    }
}
