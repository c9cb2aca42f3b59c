package io.jedge.converters.precision;

import java.util.List;
import java.util.regex.Pattern;

/** Name globs for layer and node lists: {@code *} any run of characters, {@code ?} one; the rest literal. */
final class Globs {
    private Globs() {
    }

    static Pattern compile(String glob) {
        StringBuilder b = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> b.append(".*");
                case '?' -> b.append('.');
                default -> b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(b.toString());
    }

    static boolean matches(String glob, String name) {
        if (name == null) {
            return false;
        }
        if (glob.indexOf('*') < 0 && glob.indexOf('?') < 0) {
            return glob.equals(name);
        }
        return compile(glob).matcher(name).matches();
    }

    static boolean any(List<String> globs, String... names) {
        for (String g : globs) {
            for (String n : names) {
                if (matches(g, n)) {
                    return true;
                }
            }
        }
        return false;
    }
}
