package io.jedge.converters.attention;

import java.util.Locale;

/**
 * How the local softmax head cuts the token grid into blocks. Exact softmax runs inside each
 * block and nothing crosses blocks.
 *
 * <ul>
 *   <li>{@link Windows}: 2-D non-overlapping {@code side×side} windows (Swin-style, not shifted);
 *       the grid is padded at the bottom/right to a multiple of the side and cropped afterwards.
 *       A side larger than the grid is clamped to the grid (like Swin), so a small map is one block.
 *   <li>{@link Chunks}: 1-D runs of {@code size} consecutive tokens in row-major order, the last
 *       one padded; a size above the token count is clamped.
 *   <li>{@link Whole}: one block of all tokens, i.e. ordinary global softmax attention.
 * </ul>
 */
public sealed interface BlockLayout {
    /** 2-D windows of {@code side×side} tokens. */
    record Windows(int side) implements BlockLayout {
        public Windows {
            if (side < 1) {
                throw new IllegalArgumentException("window side " + side + ", expected at least 1");
            }
        }

        @Override
        public String toString() {
            return "windows:" + side;
        }
    }

    /** 1-D chunks of {@code size} tokens. */
    record Chunks(int size) implements BlockLayout {
        public Chunks {
            if (size < 1) {
                throw new IllegalArgumentException("chunk size " + size + ", expected at least 1");
            }
        }

        @Override
        public String toString() {
            return "chunks:" + size;
        }
    }

    /** A single block holding every token. */
    record Whole() implements BlockLayout {
        @Override
        public String toString() {
            return "whole";
        }
    }

    static BlockLayout windows(int side) {
        return new Windows(side);
    }

    static BlockLayout chunks(int size) {
        return new Chunks(size);
    }

    static BlockLayout whole() {
        return new Whole();
    }

    /** Parses {@code windows:14} (or {@code 14x14}), {@code chunks:196}, or {@code whole}. */
    public static BlockLayout parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("whole")) {
                return whole();
            }
            if (t.startsWith("windows:") || t.startsWith("window:")) {
                return windows(Integer.parseInt(t.substring(t.indexOf(':') + 1)));
            }
            if (t.startsWith("chunks:") || t.startsWith("chunk:")) {
                return chunks(Integer.parseInt(t.substring(t.indexOf(':') + 1)));
            }
            int x = t.indexOf('x');
            if (x > 0 && t.substring(0, x).equals(t.substring(x + 1))) {
                return windows(Integer.parseInt(t.substring(0, x)));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("block layout '" + s + "', expected windows:W (or WxW), chunks:S or whole");
    }
}
