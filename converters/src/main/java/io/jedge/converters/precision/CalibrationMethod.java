package io.jedge.converters.precision;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How an activation's clipping threshold (amax) is chosen from its calibration statistics. */
public enum CalibrationMethod {
    /** The largest absolute value seen. */
    MINMAX("minmax"),
    /** The histogram edge where the |x| CDF reaches a percentile (default 99.99). */
    PERCENTILE("percentile"),
    /** The threshold minimising KL(P‖Q) between the |x| histogram and its 128-level quantization. */
    ENTROPY("entropy");

    private final String cliName;

    CalibrationMethod(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in the bundle sidecar, e.g. {@code "entropy"}. */
    public String cliName() {
        return cliName;
    }

    /** Parses a {@link #cliName()} (case-insensitive). */
    public static CalibrationMethod fromCliName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (CalibrationMethod m : values()) {
            if (m.cliName.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("calibrator '" + name + "': expected one of "
                + Arrays.stream(values()).map(CalibrationMethod::cliName).collect(Collectors.joining(", ")));
    }
}
