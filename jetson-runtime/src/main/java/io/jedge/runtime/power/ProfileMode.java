package io.jedge.runtime.power;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One power mode in a {@link PowerProfile}, with the caps NVIDIA's conf sets for it.
 *
 * <p>A clock listed in {@link #uncapped()} is not limited by the mode; its MHz value, when
 * present, is the hardware maximum the reference tables give, and the real one should be read
 * from sysfs. An empty value for a clock not in {@code uncapped()} means the cap is unknown.
 *
 * @param name the mode name as in the conf ({@code 15W}, {@code MAXN_SUPER}, {@code MODE_30W})
 * @param id the mode id in that conf; informational, never look modes up by it
 * @param superConf whether this mode belongs to the "super" conf (JetPack 6.2+ super DTB)
 * @param isDefault whether it is the conf's {@code PM_CONFIG DEFAULT}
 * @param budgetW the nominal power budget in watts; empty for uncapped modes such as MAXN
 * @param onlineCores CPU cores online in this mode
 * @param cpuMaxMHz CPU clock cap
 * @param gpuMaxMHz GPU clock cap
 * @param emcMaxMHz memory clock cap
 * @param dlaCores DLA cores the module has (0 on Nano and Orin Nano)
 * @param dlaMaxMHz per-DLA-core clock caps, empty when unknown or uncapped
 * @param uncapped which clocks this mode leaves uncapped: {@code cpu}, {@code gpu}, {@code emc}, {@code dla}
 */
public record ProfileMode(String name, int id, boolean superConf, boolean isDefault, OptionalDouble budgetW,
        OptionalInt onlineCores, OptionalDouble cpuMaxMHz, OptionalDouble gpuMaxMHz, OptionalDouble emcMaxMHz,
        int dlaCores, List<Double> dlaMaxMHz, Set<String> uncapped) {

    public ProfileMode {
        Objects.requireNonNull(name, "name");
        dlaMaxMHz = List.copyOf(dlaMaxMHz);
        uncapped = Set.copyOf(uncapped);
    }

    /** Whether the mode leaves {@code clock} ({@code cpu}, {@code gpu}, {@code emc}, {@code dla}) uncapped. */
    public boolean isUncapped(String clock) {
        return uncapped.contains(clock);
    }
}
