package io.jedge.runtime.power;

import io.jedge.runtime.device.JetsonModule;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The power mode's limits right now, as {@link PowerMonitor} reads them. Immutable. A value, not a
 * way to ask where the code runs: the selection sees it through
 * {@code io.jedge.runtime.selection.DeviceContext#of}, from {@code io.jedge.runtime.model.Environment}.
 *
 * @param module the module, or {@link JetsonModule#NOT_JETSON}
 * @param modeName the active nvpmodel mode name, empty when unknown or not a Jetson
 * @param budgetW the mode's nominal budget; empty for uncapped modes (MAXN) or when unknown
 * @param onlineCores CPU cores online now (sysfs), else the mode's count
 * @param gpuMaxMHz the GPU clock ceiling now: devfreq {@code max_freq} when readable, else the mode's cap
 * @param memAvailableBytes {@code MemAvailable}; unified memory on Jetson, so shared with the GPU
 * @param superConf whether the active conf is a "super" one
 * @param simulated whether these values describe a simulated device, not this host
 */
public record PowerState(JetsonModule module, Optional<String> modeName, OptionalDouble budgetW, OptionalInt onlineCores,
        OptionalDouble gpuMaxMHz, OptionalLong memAvailableBytes, boolean superConf, boolean simulated) {

    public PowerState {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(modeName, "modeName");
    }

    /** A state for a simulated module and profile mode (for {@code --simulate MODULE:MODE}). */
    public static PowerState simulated(JetsonModule module, ProfileMode mode, OptionalLong memAvailableBytes) {
        return new PowerState(module, Optional.of(mode.name()), mode.budgetW(), mode.onlineCores(), mode.gpuMaxMHz(),
                memAvailableBytes, mode.superConf(), true);
    }
}
