package io.jedge.converters.models;

import io.jedge.converters.attention.AttentionEmitter;
import io.jedge.converters.attention.AttentionForm;
import io.jedge.converters.attention.BlockLayout;
import io.jedge.converters.attention.ElfattAttention;
import io.jedge.converters.attention.ElfattOptions;
import io.jedge.converters.attention.FusedAttention;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.attention.WindowAttention;
import io.jedge.sdk.bundle.AttentionKind;
import java.util.Arrays;
import java.util.List;

/**
 * Which attention each block of a {@link HierarchicalConfig} model gets. Per stage a kind —
 * {@code VANILLA} (softmax over all the stage's tokens), {@code WINDOW} (all heads in blocks),
 * {@code ELFATT}, or {@code HYBRID} (alternating vanilla/ELFATT, starting with vanilla) — and a
 * block layout; split, LePE and the softmax form come from one {@link ElfattOptions} (its own
 * block layout is replaced by the stage's). With LePE on, vanilla and window layers carry LePE
 * too ({@code attn.lepe_local.*}), as in CSWin/ELFATT hierarchies.
 *
 * <pre>{@code
 * HierarchicalAttention paper = HierarchicalAttention.hybrid(ElfattOptions.defaults()).withBlocks(7, 7, 14, 7);
 * }</pre>
 *
 * @param kinds  per stage (4 entries)
 * @param blocks per stage (4 entries)
 */
public record HierarchicalAttention(List<AttentionKind> kinds, List<BlockLayout> blocks, ElfattOptions options) {
    public HierarchicalAttention {
        kinds = List.copyOf(kinds);
        blocks = List.copyOf(blocks);
        if (kinds.size() != HierarchicalConfig.STAGES || blocks.size() != HierarchicalConfig.STAGES) {
            throw new IllegalArgumentException("attention kinds " + kinds + " and blocks " + blocks + " must have 4 entries (one per stage)");
        }
        for (AttentionKind k : kinds) {
            if (k != AttentionKind.VANILLA && k != AttentionKind.WINDOW && k != AttentionKind.ELFATT && k != AttentionKind.HYBRID) {
                throw new IllegalArgumentException("stage attention " + k.id() + ", expected vanilla, window, elfatt or hybrid");
            }
        }
        if (options == null) {
            throw new IllegalArgumentException("ELFATT options must not be null");
        }
    }

    /** Every stage the same kind; {@code HYBRID} means the paper's layering ({@link #hybrid}). */
    public static HierarchicalAttention uniform(AttentionKind kind, ElfattOptions options) {
        if (kind == AttentionKind.HYBRID) {
            return hybrid(options);
        }
        return new HierarchicalAttention(List.of(kind, kind, kind, kind), List.of(options.blocks(), options.blocks(), options.blocks(),
                options.blocks()), options);
    }

    /** The paper's hybrid: stages 1–2 ELFATT, stage 3 alternating vanilla/ELFATT (vanilla first), stage 4 vanilla. */
    public static HierarchicalAttention hybrid(ElfattOptions options) {
        BlockLayout b = options.blocks();
        return new HierarchicalAttention(List.of(AttentionKind.ELFATT, AttentionKind.ELFATT, AttentionKind.HYBRID, AttentionKind.VANILLA),
                List.of(b, b, b, b), options);
    }

    /** The same kinds with 2-D windows of the given side per stage (e.g. 7, 7, 14, 7). */
    public HierarchicalAttention withBlocks(int... windowSides) {
        if (windowSides.length != HierarchicalConfig.STAGES) {
            throw new IllegalArgumentException("window sides " + Arrays.toString(windowSides) + ", expected 4 (one per stage)");
        }
        return new HierarchicalAttention(kinds, Arrays.stream(windowSides).mapToObj(BlockLayout::windows).toList(), options);
    }

    public HierarchicalAttention withBlocks(List<BlockLayout> perStage) {
        return new HierarchicalAttention(kinds, perStage, options);
    }

    /** The layer kind of block {@code block} in stage {@code stage} (0-based): never HYBRID. */
    public AttentionKind layerKind(int stage, int block) {
        AttentionKind k = kinds.get(stage);
        if (k == AttentionKind.HYBRID) {
            return block % 2 == 0 ? AttentionKind.VANILLA : AttentionKind.ELFATT;
        }
        return k;
    }

    /** The emitter for block {@code block} of stage {@code stage} (0-based). */
    public AttentionEmitter emitter(int stage, int block) {
        BlockLayout b = blocks.get(stage);
        return switch (layerKind(stage, block)) {
            case VANILLA -> options.softmaxForm() == AttentionForm.DECOMPOSED && !options.lepe() ? new VanillaAttention()
                    : new FusedAttention(options.softmaxForm(), options.lepe());
            case WINDOW -> new WindowAttention(b, options.lepe(), options.softmaxForm());
            default -> new ElfattAttention(options.toBuilder().blocks(b).build());
        };
    }

    /** The kind recorded for the whole model: the single kind used, or HYBRID for a mix. */
    public AttentionKind modelKind() {
        AttentionKind first = kinds.get(0);
        return kinds.stream().allMatch(k -> k == first) ? first : AttentionKind.HYBRID;
    }
}
