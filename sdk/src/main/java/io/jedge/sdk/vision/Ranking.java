package io.jedge.sdk.vision;

/**
 * Where a class ranks in a row of scores (logits), defined once for every top-1 and top-k figure
 * jedge reports: {@code eval}'s accuracy and agreement, and the converters' top-1 agreement
 * ({@code MetricsAccumulator}). Classes are ordered by score, ties by index (the first maximum
 * is top-1, as numpy's {@code argmax}); a row holding a NaN ranks no class, so it never counts as
 * a hit or an agreement.
 *
 * <pre>{@code
 * boolean hit = Ranking.inTopK(logits, row * classes, classes, label, 5);
 * }</pre>
 */
public final class Ranking {
    private Ranking() {
    }

    /** The top-1 class of {@code v[start .. start+length)}: its first maximum, or -1 if the row holds a NaN. */
    public static int argmax(float[] v, int start, int length) {
        checkRow(v, start, length);
        int best = start;
        for (int i = start; i < start + length; i++) {
            if (Float.isNaN(v[i])) {
                return -1;
            }
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best - start;
    }

    /**
     * Whether class {@code cls} is among the {@code k} first of the row: fewer than {@code k}
     * classes score higher, or as high at a lower index. {@code k = 1} is {@code argmax == cls}.
     *
     * @throws IllegalArgumentException if {@code cls} is not a class of the row or {@code k < 1}
     */
    public static boolean inTopK(float[] v, int start, int length, long cls, int k) {
        checkRow(v, start, length);
        if (cls < 0 || cls >= length) {
            throw new IllegalArgumentException("label " + cls + " is outside the model's " + length + " classes");
        }
        if (k < 1) {
            throw new IllegalArgumentException("top-k: k = " + k + ", expected at least 1");
        }
        float s = v[start + (int) cls];
        int before = 0;
        for (int i = start; i < start + length; i++) {
            if (Float.isNaN(v[i])) {
                return false;
            }
            if (v[i] > s || (v[i] == s && i < start + cls)) {
                before++;
            }
        }
        return before < k;
    }

    /** Whether two rows have the same top-1 class; a row with a NaN agrees with nothing. */
    public static boolean sameTop1(float[] reference, float[] candidate, int start, int length) {
        int a = argmax(reference, start, length);
        return a >= 0 && a == argmax(candidate, start, length);
    }

    private static void checkRow(float[] v, int start, int length) {
        if (length < 1 || start < 0 || start > v.length - length) {
            throw new IllegalArgumentException("row [" + start + ", " + start + " + " + length + ") of " + v.length
                    + " scores, expected a non-empty row inside them");
        }
    }
}
