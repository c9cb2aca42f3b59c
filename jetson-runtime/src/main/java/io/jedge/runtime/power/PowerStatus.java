package io.jedge.runtime.power;

import io.jedge.runtime.device.DeviceInfo;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@link PowerMonitor#status()} knows at one moment.
 *
 * @param device the device it describes
 * @param mode the nvpmodel reading (current mode and conf)
 * @param profile the module's shipped power profile, if any
 * @param profileMode the current mode's entry in the profile, if found
 * @param telemetry clocks, loads, temperatures, power
 * @param thermal the throttling assessment
 * @param state the summary for variant selection
 * @param notes what could not be determined, across all of the above
 */
public record PowerStatus(DeviceInfo device, PowerModeReading mode, Optional<PowerProfile> profile, Optional<ProfileMode> profileMode,
        Telemetry telemetry, ThermalState thermal, PowerState state, List<String> notes) {
    public PowerStatus {
        Objects.requireNonNull(device, "device");
        notes = List.copyOf(notes);
    }
}
