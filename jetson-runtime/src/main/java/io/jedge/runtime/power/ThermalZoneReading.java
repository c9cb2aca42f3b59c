package io.jedge.runtime.power;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One thermal zone.
 *
 * @param name the zone type ({@code tj-thermal}, {@code CPU-therm}) or tegrastats name ({@code tj})
 * @param celsius temperature
 * @param passiveTripCelsius the lowest passive trip point, where the kernel starts throttling
 */
public record ThermalZoneReading(String name, double celsius, OptionalDouble passiveTripCelsius) {
    public ThermalZoneReading {
        Objects.requireNonNull(name, "name");
    }
}
