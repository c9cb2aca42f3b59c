package io.jedge.converters.attention;

import java.util.List;

/**
 * Options of the training-free ELFATT-SD rewrite ({@link ElfattSdRewrite}). Immutable; build with
 * {@link #builder()}.
 *
 * @param layers              block indices (as {@link AttentionFinder} numbers them) to convert; empty
 *                            converts every supported self-attention block
 * @param block               tokens per local block (1-D chunks over the token sequence, the last one
 *                            padded and its padding masked); clamped to the token count, so a block of
 *                            at least N tokens makes the local heads exact
 * @param agents              agent tokens per block; 0 chooses about N/16, rounded to a square when the
 *                            tokens form a grid (16 agents for a 14×14 ViT grid, 256 for 64×64)
 * @param agentScaleExponent  step 2 of agent attention uses the logit scale raised to this power
 *                            (AgentSD's {@code k_scale2}: 0.3, i.e. d^-0.15 instead of d^-0.5)
 * @param shortcut            weight of the {@code V} shortcut added to the agent heads' output; default 0.
 *                            AgentSD uses 0.075 ({@link #AGENTSD_SHORTCUT}) for Stable Diffusion, but on
 *                            the ViT fixtures it costs more fidelity than anything else (per-layer
 *                            cosine 0.89 with it, 0.998 without), so it is opt-in
 */
public record ElfattSdOptions(List<Integer> layers, int block, int agents, double agentScaleExponent, double shortcut) {
    public static final int DEFAULT_BLOCK = 256;
    public static final double AGENTSD_SCALE_EXPONENT = 0.3;
    public static final double AGENTSD_SHORTCUT = 0.075;

    public ElfattSdOptions {
        if (layers == null) {
            throw new IllegalArgumentException("layers must not be null; use an empty list for all supported blocks");
        }
        for (Integer l : layers) {
            if (l == null || l < 0) {
                throw new IllegalArgumentException("layers: " + layers + ", expected block indices 0 or more");
            }
        }
        if (block < 1) {
            throw new IllegalArgumentException("block: " + block + " tokens, expected 1 or more");
        }
        if (agents < 0) {
            throw new IllegalArgumentException("agents: " + agents + ", expected 0 (automatic) or more");
        }
        if (!(agentScaleExponent > 0) || Double.isInfinite(agentScaleExponent)) {
            throw new IllegalArgumentException("agentScaleExponent: " + agentScaleExponent + ", expected a positive number");
        }
        if (!(shortcut >= 0) || Double.isInfinite(shortcut)) {
            throw new IllegalArgumentException("shortcut: " + shortcut + ", expected 0 or a positive number");
        }
        layers = List.copyOf(layers);
    }

    public static ElfattSdOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().layers(layers).block(block).agents(agents).agentScaleExponent(agentScaleExponent)
                .shortcut(shortcut);
    }

    /** Builder for {@link ElfattSdOptions}; the record's constructor validates. */
    public static final class Builder {
        private List<Integer> layers = List.of();
        private int block = DEFAULT_BLOCK;
        private int agents;
        private double agentScaleExponent = AGENTSD_SCALE_EXPONENT;
        private double shortcut;

        public Builder layers(List<Integer> layers) {
            this.layers = layers;
            return this;
        }

        public Builder block(int block) {
            this.block = block;
            return this;
        }

        public Builder agents(int agents) {
            this.agents = agents;
            return this;
        }

        public Builder agentScaleExponent(double e) {
            this.agentScaleExponent = e;
            return this;
        }

        public Builder shortcut(double shortcut) {
            this.shortcut = shortcut;
            return this;
        }

        public ElfattSdOptions build() {
            return new ElfattSdOptions(layers, block, agents, agentScaleExponent, shortcut);
        }
    }
}
