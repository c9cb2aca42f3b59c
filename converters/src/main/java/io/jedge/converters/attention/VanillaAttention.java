package io.jedge.converters.attention;

import io.jedge.converters.models.WeightSource;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.sdk.bundle.AttentionKind;
import java.util.List;

/**
 * Softmax attention over all tokens, as timm's {@code Attention} computes it: one fused qkv
 * Linear, heads split by Reshape/Transpose, softmax(q·kᵀ·d^-½)·v, output Linear. Emitted in the
 * decomposed MatMul/Softmax form that every ONNX consumer (ONNX Runtime, TensorRT 10.x) accepts.
 */
public final class VanillaAttention implements AttentionEmitter {
    @Override
    public String emit(GraphBuilder b, String x, String prefix, WeightSource w, TokenLayout l) {
        int c = l.dim();
        int h = l.heads();
        int d = l.headDim();
        int t = l.tokens();
        String qkv = b.linear(x, prefix + ".qkv", w.get(prefix + ".qkv.weight", 3L * c, c), c, 3 * c,
                w.get(prefix + ".qkv.bias", 3L * c));
        List<String> parts = b.split(qkv, -1, c, c, c);
        String q = heads(b, parts.get(0), t, h, d, 0, 2, 1, 3);
        String k = heads(b, parts.get(1), t, h, d, 0, 2, 3, 1);
        String v = heads(b, parts.get(2), t, h, d, 0, 2, 1, 3);
        String out = sdpa(b, q, k, v, (float) (1.0 / Math.sqrt(d)));
        String merged = b.reshape(b.transpose(out, 0, 2, 1, 3), 0, t, c);
        return b.linear(merged, prefix + ".proj", w.get(prefix + ".proj.weight", c, c), c, c, w.get(prefix + ".proj.bias", c));
    }

    /** [N,T,C] → [N,h,T,d] with the given permutation of [N,T,h,d]. */
    static String heads(GraphBuilder b, String x, int t, int h, int d, long... perm) {
        return b.transpose(b.reshape(x, 0, t, h, d), perm);
    }

    /** softmax(q·kᵀ·scale)·v with k already transposed to [.., d, T]. */
    static String sdpa(GraphBuilder b, String q, String kT, String v, float scale) {
        String scores = b.mul(b.matMul(q, kT), b.constFloat("scale", scale));
        return b.matMul(b.softmax(scores, -1), v);
    }

    @Override
    public AttentionKind kind() {
        return AttentionKind.VANILLA;
    }
}
