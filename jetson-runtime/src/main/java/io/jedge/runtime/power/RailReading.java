package io.jedge.runtime.power;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One INA3221 power rail.
 *
 * @param name the rail label, for example {@code VDD_IN} or {@code POM_5V_GPU}
 * @param voltageMv bus voltage, when reported
 * @param currentMa current, when reported
 * @param powerMw instantaneous power
 * @param averageMw average power (tegrastats only)
 */
public record RailReading(String name, OptionalDouble voltageMv, OptionalDouble currentMa, double powerMw, OptionalDouble averageMw) {
    public RailReading {
        Objects.requireNonNull(name, "name");
    }
}
