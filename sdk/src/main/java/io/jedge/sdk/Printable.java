package io.jedge.sdk;

import java.util.Locale;

/**
 * Strings from files and names made safe for a terminal. A label, a bundle name or a path may hold
 * control characters (an escape sequence that recolours the terminal, a newline that forges a
 * line); jedge shows them as {@code \\uXXXX} instead of sending them.
 */
public final class Printable {
    private Printable() {
    }

    /** Whether {@code c} would act on a terminal instead of showing: C0/C1 controls and the Unicode line separators. */
    public static boolean isControl(int c) {
        return Character.isISOControl(c) || c == 0x2028 || c == 0x2029;
    }

    /** Whether {@code s} holds no control character. */
    public static boolean isPlain(String s) {
        return s.codePoints().noneMatch(Printable::isControl);
    }

    /** {@code s} with every control character written as {@code \\uXXXX}. */
    public static String escape(String s) {
        if (isPlain(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            if (isControl(c)) {
                b.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
