package io.jedge.runtime.power;

import java.util.Objects;
import java.util.Optional;

/**
 * The nvpmodel mode that is active now.
 *
 * @param id the mode id as this device's conf numbers it
 * @param name the mode name; compare modes by name, ids are not portable
 * @param source how it was found
 * @param confMode the conf block of this mode, when the conf was readable
 */
public record CurrentPowerMode(int id, String name, Source source, Optional<NvpMode> confMode) {

    /** Where the current mode was read from. */
    public enum Source {
        /** {@code /var/lib/nvpmodel/status} mapped through the conf. */
        STATUS_FILE,
        /** The output of {@code nvpmodel -q}. */
        NVPMODEL_QUERY
    }

    public CurrentPowerMode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(confMode, "confMode");
    }

    /** Same mode (id and name), whatever the source. */
    public boolean sameModeAs(CurrentPowerMode other) {
        return other != null && id == other.id && name.equalsIgnoreCase(other.name);
    }

    @Override
    public String toString() {
        return name + " (id " + id + ")";
    }
}
