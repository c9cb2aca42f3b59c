package io.jedge.converters.attention;

import java.util.Objects;

/**
 * How an ELFATT layer is shaped. Immutable; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code split c1:c2} — the share of channels (taken as whole heads) for the global linear
 *       head and for the local softmax head. Default 1:1: heads {@code 0..h/2-1} global, the rest
 *       local. {@code 1:0} is pure efficient attention; {@code 0:1} is pure block (window)
 *       attention.
 *   <li>{@code blocks} — the local head's {@link BlockLayout}; default 14×14 windows (196 tokens,
 *       the paper's ImageNet-224 choice).
 *   <li>{@code lepe} — depthwise 3×3 LePE on V (on by default, as in trained ELFATT models).
 *   <li>{@code softmaxForm} — how the local head's exact softmax attention is written in ONNX.
 * </ul>
 *
 * <pre>{@code
 * ElfattOptions o = ElfattOptions.builder().split(3, 1).blocks(BlockLayout.windows(7)).lepe(false).build();
 * }</pre>
 */
public final class ElfattOptions {
    private final int globalParts;
    private final int localParts;
    private final BlockLayout blocks;
    private final boolean lepe;
    private final AttentionForm softmaxForm;

    private ElfattOptions(Builder b) {
        this.globalParts = b.globalParts;
        this.localParts = b.localParts;
        this.blocks = b.blocks;
        this.lepe = b.lepe;
        this.softmaxForm = b.softmaxForm;
    }

    public static ElfattOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().split(globalParts, localParts).blocks(blocks).lepe(lepe).softmaxForm(softmaxForm);
    }

    public int globalParts() {
        return globalParts;
    }

    public int localParts() {
        return localParts;
    }

    public BlockLayout blocks() {
        return blocks;
    }

    public boolean lepe() {
        return lepe;
    }

    public AttentionForm softmaxForm() {
        return softmaxForm;
    }

    /**
     * Heads given to the global linear head out of {@code heads}: {@code heads·c1/(c1+c2)} rounded
     * half up, kept within 1..heads-1 when both parts are non-zero (3 heads at 1:1 gives 2 global).
     *
     * @throws IllegalArgumentException when both heads are asked for but there is only one head
     */
    public int globalHeads(int heads) {
        if (localParts == 0) {
            return heads;
        }
        if (globalParts == 0) {
            return 0;
        }
        if (heads < 2) {
            throw new IllegalArgumentException("ELFATT split " + globalParts + ":" + localParts + " needs at least 2 heads (one global, one local), "
                    + "the layer has " + heads + "; use split 1:0 or 0:1 for a single head");
        }
        int total = globalParts + localParts;
        int h1 = (2 * heads * globalParts + total) / (2 * total);
        return Math.max(1, Math.min(heads - 1, h1));
    }

    @Override
    public String toString() {
        return "split " + globalParts + ":" + localParts + ", blocks " + blocks + ", lepe " + (lepe ? "on" : "off")
                + ", softmax " + softmaxForm.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ElfattOptions e && e.globalParts == globalParts && e.localParts == localParts && e.blocks.equals(blocks)
                && e.lepe == lepe && e.softmaxForm == softmaxForm;
    }

    @Override
    public int hashCode() {
        return Objects.hash(globalParts, localParts, blocks, lepe, softmaxForm);
    }

    /** Builder for {@link ElfattOptions}; {@link #build()} validates. */
    public static final class Builder {
        private int globalParts = 1;
        private int localParts = 1;
        private BlockLayout blocks = BlockLayout.windows(14);
        private boolean lepe = true;
        private AttentionForm softmaxForm = AttentionForm.CONTRIB_MHA;

        private Builder() {
        }

        /** Channel split c1:c2 between the global linear head and the local softmax head. */
        public Builder split(int c1, int c2) {
            this.globalParts = c1;
            this.localParts = c2;
            return this;
        }

        public Builder blocks(BlockLayout blocks) {
            this.blocks = blocks;
            return this;
        }

        public Builder lepe(boolean lepe) {
            this.lepe = lepe;
            return this;
        }

        public Builder softmaxForm(AttentionForm form) {
            this.softmaxForm = form;
            return this;
        }

        public ElfattOptions build() {
            if (globalParts < 0 || localParts < 0 || globalParts + localParts == 0) {
                throw new IllegalArgumentException("ELFATT split " + globalParts + ":" + localParts
                        + ", expected two non-negative parts that are not both zero (e.g. 1:1, 3:1, 1:0)");
            }
            if (blocks == null) {
                throw new IllegalArgumentException("ELFATT block layout must not be null (e.g. BlockLayout.windows(14))");
            }
            if (softmaxForm == null) {
                throw new IllegalArgumentException("ELFATT softmax form must not be null (e.g. AttentionForm.DECOMPOSED)");
            }
            return new ElfattOptions(this);
        }
    }
}
