package io.jedge.converters.attention;

import io.jedge.converters.models.WeightSource;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.sdk.bundle.AttentionKind;
import java.util.Map;

/**
 * Vanilla softmax attention over all tokens (the same math and timm weight names as
 * {@link VanillaAttention}) written in a chosen {@link AttentionForm}: by default ONNX Runtime's
 * fused {@code com.microsoft::MultiHeadAttention}, which never materialises the N×N scores on the
 * CPU. With {@code lepe} it adds a depthwise 3×3 LePE over the full map ({@code prefix.lepe_local.*},
 * [C,1,3,3] and [C]), as the vanilla layers of CSWin/ELFATT hierarchies have. Immutable and
 * thread-safe.
 */
public final class FusedAttention implements AttentionEmitter {
    private final SplitHeadAttention engine;

    public FusedAttention() {
        this(AttentionForm.CONTRIB_MHA);
    }

    public FusedAttention(AttentionForm form) {
        this(form, false);
    }

    public FusedAttention(AttentionForm form, boolean lepe) {
        this.engine = new SplitHeadAttention(ElfattOptions.builder().split(0, 1).blocks(BlockLayout.whole()).lepe(lepe).softmaxForm(form).build(),
                AttentionKind.VANILLA);
    }

    public AttentionForm form() {
        return engine.options().softmaxForm();
    }

    @Override
    public String emit(GraphBuilder b, String x, String prefix, WeightSource weights, TokenLayout layout) {
        return engine.emit(b, x, prefix, weights, layout);
    }

    @Override
    public AttentionKind kind() {
        return AttentionKind.VANILLA;
    }

    @Override
    public Map<String, Long> opsets() {
        return engine.opsets();
    }
}
