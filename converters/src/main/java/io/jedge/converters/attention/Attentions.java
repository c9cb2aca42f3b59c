package io.jedge.converters.attention;

import java.util.Locale;

/**
 * Attention emitters by name, for the CLI and model builders.
 *
 * <pre>{@code
 * AttentionEmitter a = Attentions.byName("elfatt", ElfattOptions.builder().split(3, 1).build());
 * OnnxModel m = VitBuilder.build(config, weights, a);
 * }</pre>
 */
public final class Attentions {
    /** The names {@link #byName} accepts. */
    public static final java.util.List<String> NAMES = java.util.List.of("vanilla", "fused", "window", "elfatt");

    private Attentions() {
    }

    /**
     * {@code vanilla}: timm's decomposed softmax attention ({@link VanillaAttention}, options
     * unused); {@code fused}: the same in {@code options.softmaxForm()} (MultiHeadAttention when
     * that is decomposed); {@code window}: all heads in {@code options.blocks()} with
     * {@code options.lepe()}; {@code elfatt}: {@link ElfattAttention} with the options.
     */
    public static AttentionEmitter byName(String name, ElfattOptions options) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "vanilla" -> new VanillaAttention();
            case "fused" -> new FusedAttention(options.softmaxForm() == AttentionForm.DECOMPOSED ? AttentionForm.CONTRIB_MHA : options.softmaxForm());
            case "window" -> new WindowAttention(options.blocks(), options.lepe(), options.softmaxForm());
            case "elfatt" -> new ElfattAttention(options);
            default -> throw new IllegalArgumentException("attention '" + name + "', expected one of " + NAMES);
        };
    }
}
