package io.jedge.converters.attention;

import io.jedge.converters.models.WeightSource;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.sdk.bundle.AttentionKind;
import java.util.Map;

/**
 * Swin-style window attention without shifts: every head runs exact softmax inside
 * non-overlapping blocks (2-D windows padded to a multiple of the side, or 1-D chunks), with
 * optional per-block LePE ({@code prefix.lepe_local.*}, [C,1,3,3] and [C]). It is ELFATT with
 * split 0:1; weight names and class-token handling are those of {@link ElfattAttention}. No
 * relative position bias. Immutable and thread-safe.
 */
public final class WindowAttention implements AttentionEmitter {
    private final SplitHeadAttention engine;

    /** Windows of {@code side×side}, no LePE, softmax in the default {@link ElfattOptions} form. */
    public WindowAttention(int side) {
        this(BlockLayout.windows(side), false, ElfattOptions.defaults().softmaxForm());
    }

    public WindowAttention(BlockLayout blocks, boolean lepe, AttentionForm form) {
        if (blocks instanceof BlockLayout.Whole) {
            throw new IllegalArgumentException("window attention block layout 'whole' is global attention; use FusedAttention or VanillaAttention");
        }
        this.engine = new SplitHeadAttention(ElfattOptions.builder().split(0, 1).blocks(blocks).lepe(lepe).softmaxForm(form).build(),
                AttentionKind.WINDOW);
    }

    public BlockLayout blocks() {
        return engine.options().blocks();
    }

    @Override
    public String emit(GraphBuilder b, String x, String prefix, WeightSource weights, TokenLayout layout) {
        return engine.emit(b, x, prefix, weights, layout);
    }

    @Override
    public AttentionKind kind() {
        return AttentionKind.WINDOW;
    }

    @Override
    public Map<String, Long> opsets() {
        return engine.opsets();
    }
}
