package io.jedge.sdk.bundle;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

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
    /** Training-free ToMe token merging around softmax self-attention (ToMe-SD). */
    TOME,
    /** Training-free ToMe token merging with ELFATT-SD attention over the merged tokens; id {@code elfatt-sd+tome}. */
    ELFATT_SD_TOME,
    /** A model without attention (e.g. a convolutional decoder). */
    NONE;

    public String id() {
        return this == ELFATT_SD_TOME ? "elfatt-sd+tome" : name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The name people write it with, for output: "ELFATT-SD", "ToMe", "ELFATT-SD+ToMe", "vanilla". */
    public String displayName() {
        return switch (this) {
            case VANILLA, WINDOW, HYBRID, NONE -> id();
            case ELFATT -> "ELFATT";
            case ELFATT_SD -> "ELFATT-SD";
            case TOME -> "ToMe";
            case ELFATT_SD_TOME -> "ELFATT-SD+ToMe";
        };
    }

    /**
     * True for the training-free rewrites of a trained model's attention (ELFATT-SD, ToMe and both),
     * whose outputs only approximate the model's: chosen only with a fidelity report.
     */
    public boolean trainingFree() {
        return this == ELFATT_SD || this == TOME || this == ELFATT_SD_TOME;
    }

    public static AttentionKind parse(String s) {
        String key = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        for (AttentionKind k : values()) {
            if (k.id().equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown attention kind '" + s + "', expected one of: "
                + Arrays.stream(values()).map(AttentionKind::id).collect(Collectors.joining(", ")));
    }
}
