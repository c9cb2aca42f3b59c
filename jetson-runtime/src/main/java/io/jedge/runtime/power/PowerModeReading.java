package io.jedge.runtime.power;

import java.util.List;
import java.util.Optional;

/**
 * The result of {@link PowerModeReader#read()}.
 *
 * @param current the active mode, empty when it could not be determined
 * @param conf the parsed nvpmodel conf, empty when missing or unreadable
 * @param confPath the device path the conf was read from
 * @param notes why something is missing, and conf problems
 */
public record PowerModeReading(Optional<CurrentPowerMode> current, Optional<NvpModelConf> conf, String confPath, List<String> notes) {
    public PowerModeReading {
        notes = List.copyOf(notes);
    }
}
