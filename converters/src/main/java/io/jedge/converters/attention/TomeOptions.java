package io.jedge.converters.attention;

import java.util.List;
import java.util.Locale;

/**
 * Options of the training-free ToMe token merging ({@link TomeRewrite}). Immutable; build with
 * {@link #builder()}.
 *
 * @param ratio  fraction of a block's tokens merged away before its attention, in (0, 1); ToMe-SD's
 *               {@code ratio} (0.5 halves the tokens). Capped by the source tokens (3 of every 4)
 * @param layers block indices (as {@link AttentionFinder} numbers them) to merge in; empty: every
 *               supported self-attention block
 * @param seed   seed of the destination choice, one token per 2×2 cell of the token grid (ToMe-SD
 *               draws it at random every call; an exported graph needs it fixed)
 */
public record TomeOptions(double ratio, List<Integer> layers, long seed) {
    public static final double DEFAULT_RATIO = 0.5;
    public static final long DEFAULT_SEED = 0;

    public TomeOptions {
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--tome %s, expected a merge ratio between 0 and 1"
                    + " (exclusive), e.g. 0.5", ratio));
        }
        if (layers == null) {
            throw new IllegalArgumentException("layers must not be null; use an empty list for all supported blocks");
        }
        for (Integer l : layers) {
            if (l == null || l < 0) {
                throw new IllegalArgumentException("layers: " + layers + ", expected block indices 0 or more");
            }
        }
        layers = List.copyOf(layers);
    }

    /** Ratio 0.5 on every supported block. */
    public static TomeOptions defaults() {
        return of(DEFAULT_RATIO);
    }

    /** {@code ratio} on every supported block. */
    public static TomeOptions of(double ratio) {
        return new TomeOptions(ratio, List.of(), DEFAULT_SEED);
    }

    /** These options for the given blocks only. */
    public TomeOptions withLayers(List<Integer> layers) {
        return new TomeOptions(ratio, layers, seed);
    }
}
