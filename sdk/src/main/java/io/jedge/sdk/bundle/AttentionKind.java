package io.jedge.sdk.bundle;

/** Which attention a variant computes. */
public enum AttentionKind {
    /** Softmax attention over all tokens, as trained. */
    VANILLA,
    /** Softmax attention inside windows (Swin-style). */
    WINDOW,
    /** ELFATT: global linear head + block-local softmax head. */
    ELFATT,
    /** The paper's hybrid layering: ELFATT in early stages, vanilla in late ones. */
    HYBRID,
    /** Training-free rewrite: agent attention + block-local softmax (ELFATT-SD). */
    ELFATT_SD,
    /** A model without attention (e.g. a convolutional decoder). */
    NONE;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public static AttentionKind parse(String s) {
        return Enums.parse(AttentionKind.class, s, "attention kind");
    }
}
