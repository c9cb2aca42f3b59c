package io.jedge.runtime.power;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A snapshot of clocks, loads, temperatures and power. Fields are empty when their source was
 * missing or unreadable; {@link #notes()} says which.
 *
 * @param source where the values came from
 * @param gpuCurMHz GPU current clock
 * @param gpuMaxMHz GPU effective maximum (devfreq {@code max_freq}, which nvpmodel caps)
 * @param gpuLoadPercent GPU load
 * @param cpus per-core state
 * @param cpuLoadPercent mean load over online cores
 * @param emcCurMHz memory clock (debugfs, root only)
 * @param emcCapMHz the nvpmodel EMC cap; empty when uncapped or unknown
 * @param emcLoadPercent memory controller utilisation
 * @param thermalZones temperatures (offline zones and the fake PMIC reading are left out)
 * @param rails power rails
 * @param totalPowerMw {@code VDD_IN}/{@code POM_5V_IN} when present, else the sum of all rails
 * @param totalPowerRail the rail used as total, empty when summed
 * @param memAvailableBytes {@code MemAvailable} (or tegrastats RAM total minus used)
 * @param notes what could not be read
 */
public record Telemetry(
        Source source,
        OptionalDouble gpuCurMHz,
        OptionalDouble gpuMaxMHz,
        OptionalDouble gpuLoadPercent,
        List<CpuCoreReading> cpus,
        OptionalDouble cpuLoadPercent,
        OptionalDouble emcCurMHz,
        OptionalDouble emcCapMHz,
        OptionalDouble emcLoadPercent,
        List<ThermalZoneReading> thermalZones,
        List<RailReading> rails,
        OptionalDouble totalPowerMw,
        Optional<String> totalPowerRail,
        OptionalLong memAvailableBytes,
        List<String> notes) {

    /** Where telemetry came from. */
    public enum Source {
        SYSFS,
        TEGRASTATS,
        /** Nothing could be read. */
        NONE
    }

    public Telemetry {
        Objects.requireNonNull(source, "source");
        cpus = List.copyOf(cpus);
        thermalZones = List.copyOf(thermalZones);
        rails = List.copyOf(rails);
        notes = List.copyOf(notes);
    }

    /** Number of online cores, when any core was read. */
    public java.util.OptionalInt onlineCores() {
        return cpus.isEmpty() ? java.util.OptionalInt.empty()
                : java.util.OptionalInt.of((int) cpus.stream().filter(CpuCoreReading::online).count());
    }

    /** The hottest zone, if any. */
    public Optional<ThermalZoneReading> hottest() {
        return thermalZones.stream().max(java.util.Comparator.comparingDouble(ThermalZoneReading::celsius));
    }

    /** A zone by name, ignoring case. */
    public Optional<ThermalZoneReading> zone(String name) {
        return thermalZones.stream().filter(z -> z.name().equalsIgnoreCase(name)).findFirst();
    }

    /** A rail by name. */
    public Optional<RailReading> rail(String name) {
        return rails.stream().filter(r -> r.name().equals(name)).findFirst();
    }
}
