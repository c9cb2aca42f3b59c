package io.jedge.runtime.power;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One {@code POWER_MODEL} block of an nvpmodel conf, with the caps it sets. Cap accessors return
 * MHz and are empty when the mode does not cap that clock ({@code -1}, or {@code 0} for EMC, or
 * no line at all).
 *
 * @param id the mode id in this conf (not portable between modules)
 * @param name the mode name, for example {@code MAXN_SUPER} or {@code MODE_30W}
 * @param settings the {@code PNAME ARGNAME VALUE} lines in file order
 */
public record NvpMode(int id, String name, List<Setting> settings) {

    /** One {@code PNAME ARGNAME VALUE} line. */
    public record Setting(String param, String arg, String value) {
    }

    public NvpMode {
        Objects.requireNonNull(name, "name");
        settings = List.copyOf(settings);
    }

    /** Number of {@code CPU_ONLINE CORE_n 1} lines; empty if the mode has no CPU_ONLINE lines. */
    public OptionalInt onlineCores() {
        List<Setting> online = settings.stream().filter(s -> s.param.equals("CPU_ONLINE")).toList();
        if (online.isEmpty()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) online.stream().filter(s -> s.value.equals("1")).count());
    }

    /** The highest CPU cluster cap (conf kHz), in MHz. */
    public OptionalDouble cpuMaxMHz() {
        double best = -1;
        boolean uncapped = false;
        for (Setting s : settings) {
            if (s.param.toUpperCase(Locale.ROOT).startsWith("CPU_") && !s.param.equals("CPU_ONLINE") && s.arg.equals("MAX_FREQ")) {
                long v = parse(s.value);
                if (v < 0 || v == Integer.MAX_VALUE || v == Long.MAX_VALUE) {
                    uncapped = true;
                } else {
                    best = Math.max(best, v / 1000.0);
                }
            }
        }
        return uncapped || best < 0 ? OptionalDouble.empty() : OptionalDouble.of(best);
    }

    /** The GPU cap (conf Hz), in MHz. */
    public OptionalDouble gpuMaxMHz() {
        return hzCap("GPU", false);
    }

    /** The EMC cap (conf Hz), in MHz; 0 also means no cap. */
    public OptionalDouble emcMaxMHz() {
        return hzCap("EMC", true);
    }

    /** A FILE parameter's value, for example {@code ("TPC_POWER_GATING", "TPC_PG_MASK")}. */
    public java.util.Optional<String> value(String param, String arg) {
        return settings.stream().filter(s -> s.param.equals(param) && s.arg.equals(arg)).map(Setting::value).reduce((a, b) -> b);
    }

    private OptionalDouble hzCap(String param, boolean zeroIsUncapped) {
        for (Setting s : settings) {
            if (s.param.equals(param) && s.arg.equals("MAX_FREQ")) {
                long v = parse(s.value);
                // -1 is INT_MAX to nvpmodel; some dumps print INT_MAX itself.
                if (v < 0 || (zeroIsUncapped && v == 0) || v == Integer.MAX_VALUE || v == Long.MAX_VALUE) {
                    return OptionalDouble.empty();
                }
                return OptionalDouble.of(v / 1_000_000.0);
            }
        }
        return OptionalDouble.empty();
    }

    private static long parse(String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
