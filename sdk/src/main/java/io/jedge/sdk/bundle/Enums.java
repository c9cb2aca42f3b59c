package io.jedge.sdk.bundle;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Parses the lower-case, dash-separated enum ids used in bundle.json and on the command line. */
final class Enums {
    private Enums() {
    }

    static <E extends Enum<E>> E parse(Class<E> type, String s, String what) {
        if (s != null) {
            String key = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(key)) {
                    return e;
                }
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown " + what + " '" + s + "', expected one of: " + allowed);
    }
}
