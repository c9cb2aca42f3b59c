package io.jedge.converters.attention;

import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.Node;
import java.util.Map;

/**
 * The ONNX form in which exact softmax attention, softmax(q·kᵀ·d^-½)·v, is written: as separate
 * MatMul/Softmax nodes, as ONNX Runtime's fused {@code com.microsoft::MultiHeadAttention}, or as
 * the standard {@code Attention} op of opset 23. All three compute the same values; they differ in
 * speed, peak memory and which runtimes accept them (TensorRT 10 parses only the decomposed form
 * and {@code Attention}-23 on recent versions; ONNX Runtime CPU runs all three).
 */
public enum AttentionForm {
    /** MatMul → Softmax → MatMul with a Reshape/Transpose head split; every consumer accepts it. */
    DECOMPOSED(Map.of()),
    /** {@code com.microsoft::MultiHeadAttention} (ONNX Runtime contrib op, domain version 1). */
    CONTRIB_MHA(Map.of("com.microsoft", 1L)),
    /** The standard {@code Attention} op (needs default-domain opset 23). */
    ONNX_ATTENTION(Map.of("", 23L));

    private final Map<String, Long> opsets;

    AttentionForm(Map<String, Long> opsets) {
        this.opsets = opsets;
    }

    /** The opset imports (domain → minimum version) a model needs for nodes of this form. */
    public Map<String, Long> opsets() {
        return opsets;
    }

    /** Parses {@code decomposed}, {@code mha} / {@code contrib-mha}, or {@code attention} / {@code onnx-attention}. */
    public static AttentionForm parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "decomposed" -> DECOMPOSED;
            case "mha", "contrib-mha", "multiheadattention" -> CONTRIB_MHA;
            case "attention", "onnx-attention", "attention23" -> ONNX_ATTENTION;
            default -> throw new IllegalArgumentException("attention form '" + s + "', expected decomposed, mha or attention");
        };
    }

    /**
     * Emits softmax attention on token-major tensors.
     *
     * @param q  [B', sq, heads·d]
     * @param k  [B', sk, heads·d]
     * @param v  [B', sk, heads·d]
     * @return [B', sq, heads·d]; B' may be dynamic
     */
    String emit(GraphBuilder b, String q, String k, String v, long sq, long sk, int heads, int d) {
        return emit(b, q, k, v, sq, sk, heads, d, (float) (1.0 / Math.sqrt(d)));
    }

    /** As {@link #emit(GraphBuilder, String, String, String, long, long, int, int)} with the score scale given; 1 emits no scaling. */
    String emit(GraphBuilder b, String q, String k, String v, long sq, long sk, int heads, int d, float scale) {
        switch (this) {
            case CONTRIB_MHA -> {
                Node n = b.node("MultiHeadAttention", q, k, v).set("num_heads", heads).set("scale", scale);
                n.setDomain("com.microsoft");
                return n.output(0);
            }
            case ONNX_ATTENTION -> {
                return b.node("Attention", q, k, v).set("q_num_heads", heads).set("kv_num_heads", heads)
                        .set("scale", scale).output(0);
            }
            default -> {
                // scaling q (sq·d values) is cheaper than scaling the sq·sk scores
                String qs = scale == 1f ? q : b.mul(q, b.constFloat("scale", scale));
                String qh = VanillaAttention.heads(b, qs, (int) sq, heads, d, 0, 2, 1, 3);
                String kt = VanillaAttention.heads(b, k, (int) sk, heads, d, 0, 2, 3, 1);
                String vh = VanillaAttention.heads(b, v, (int) sk, heads, d, 0, 2, 1, 3);
                String o = b.matMul(b.softmax(b.matMul(qh, kt), -1), vh);
                return b.reshape(b.transpose(o, 0, 2, 1, 3), 0, sq, (long) heads * d);
            }
        }
    }
}
