package io.jedge.converters.attention;

/**
 * How the tokens entering an attention layer are arranged: {@code prefixTokens} (class token)
 * first, then a {@code gridH}×{@code gridW} grid in row-major order.
 */
public record TokenLayout(int prefixTokens, int gridH, int gridW, int dim, int heads) {
    public TokenLayout {
        if (dim % heads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not divisible by heads " + heads);
        }
    }

    public int tokens() {
        return prefixTokens + gridH * gridW;
    }

    public int headDim() {
        return dim / heads;
    }
}
