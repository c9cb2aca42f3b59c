package io.jedge.converters.models;

import io.jedge.converters.attention.AttentionEmitter;
import io.jedge.converters.attention.TokenLayout;
import io.jedge.converters.onnx.GraphBuilder;

/** The pre-norm transformer block shared by the model builders. */
public final class TransformerBlocks {
    private TransformerBlocks() {
    }

    /** x + attn(LN1(x)), then + MLP(LN2(x)); weight names follow timm ({@code norm1}, {@code attn}, {@code norm2}, {@code mlp.fc1/fc2}). */
    public static String block(GraphBuilder b, String x, String p, WeightSource w, TokenLayout l, AttentionEmitter attention,
            int mlpRatio, float eps) {
        int dim = l.dim();
        b.scope(p + ".attn");
        String h = b.layerNorm(x, b.weight(p + ".norm1.weight", new long[] {dim}, w.get(p + ".norm1.weight", dim)),
                b.weight(p + ".norm1.bias", new long[] {dim}, w.get(p + ".norm1.bias", dim)), eps);
        x = b.add(x, attention.emit(b, h, p + ".attn", w, l));
        b.scope(p + ".mlp");
        return b.add(x, mlp(b, x, p, w, dim, mlpRatio, eps));
    }

    private static String mlp(GraphBuilder b, String x, String p, WeightSource w, int dim, int mlpRatio, float eps) {
        int hidden = dim * mlpRatio;
        String h = b.layerNorm(x, b.weight(p + ".norm2.weight", new long[] {dim}, w.get(p + ".norm2.weight", dim)),
                b.weight(p + ".norm2.bias", new long[] {dim}, w.get(p + ".norm2.bias", dim)), eps);
        h = b.gelu(b.linear(h, p + ".mlp.fc1", w.get(p + ".mlp.fc1.weight", hidden, dim), dim, hidden, w.get(p + ".mlp.fc1.bias", hidden)));
        return b.linear(h, p + ".mlp.fc2", w.get(p + ".mlp.fc2.weight", dim, hidden), hidden, dim, w.get(p + ".mlp.fc2.bias", dim));
    }
}
