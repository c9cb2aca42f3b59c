package io.jedge.converters.attention;

import io.jedge.converters.models.WeightSource;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.sdk.bundle.AttentionKind;
import java.util.Map;

/**
 * An ELFATT attention layer (arXiv 2501.06098): the heads are split c1:c2 into a global linear
 * head and a local block-softmax head that run side by side on the same qkv projection.
 *
 * <ul>
 *   <li>qkv = Linear(C→3C) ({@code prefix.qkv.weight} [3C,C], {@code prefix.qkv.bias} [3C]),
 *       cut into q, k, v; in each, heads {@code 0..h1-1} (the first c1 channels) are global and
 *       the rest local.
 *   <li>Global head, per head: {@code softmax_d(q)·(softmax_N(k)ᵀ·v)}, the d×d context formed
 *       first (linear in N), written as explicit Softmax/MatMul so it stays FP32-safe.
 *   <li>Local head: {@code softmax(q·kᵀ·d^-½)·v} inside each block of
 *       {@link ElfattOptions#blocks()} (2-D windows with zero padding then crop, or 1-D chunks),
 *       written in {@link ElfattOptions#softmaxForm()}.
 *   <li>LePE (when on): a depthwise 3×3 conv with bias on V added to each head's output —
 *       {@code prefix.lepe_global.weight} [c1,1,3,3] / {@code .bias} [c1] over the whole token
 *       map for the global head, {@code prefix.lepe_local.weight} [c2,1,3,3] / {@code .bias} [c2]
 *       inside each block (zero padding at block borders; a 1-D chunk is a 1×s strip) for the
 *       local head.
 *   <li>out = Linear(C→C) of concat[global, local] ({@code prefix.proj.weight} [C,C],
 *       {@code prefix.proj.bias} [C]).
 * </ul>
 *
 * <p>Prefix (class) tokens, where the {@link TokenLayout} has them: in the global head they are
 * ordinary tokens; in the local head they are global tokens — their queries attend to all
 * tokens, and every block's keys and values include them (cost stays linear in N). LePE skips
 * them. So with split 0:1 and one block covering the grid the layer equals vanilla attention.
 * Padded tokens are not masked: their keys and values are the qkv bias, as if the normalised
 * input had been zero-padded before qkv (Swin's detection blocks).
 *
 * <p>Immutable and thread-safe.
 */
public final class ElfattAttention implements AttentionEmitter {
    private final SplitHeadAttention engine;

    public ElfattAttention() {
        this(ElfattOptions.defaults());
    }

    public ElfattAttention(ElfattOptions options) {
        this.engine = new SplitHeadAttention(options, AttentionKind.ELFATT);
    }

    public ElfattOptions options() {
        return engine.options();
    }

    @Override
    public String emit(GraphBuilder b, String x, String prefix, WeightSource weights, TokenLayout layout) {
        return engine.emit(b, x, prefix, weights, layout);
    }

    @Override
    public AttentionKind kind() {
        return AttentionKind.ELFATT;
    }

    @Override
    public Map<String, Long> opsets() {
        return engine.opsets();
    }
}
