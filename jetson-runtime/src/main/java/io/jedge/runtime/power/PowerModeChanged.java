package io.jedge.runtime.power;

import java.time.Instant;
import java.util.Objects;

/**
 * The active nvpmodel mode changed between two polls.
 *
 * @param previous the mode before
 * @param current the mode now
 * @param detectedAt when the poll noticed it
 */
public record PowerModeChanged(CurrentPowerMode previous, CurrentPowerMode current, Instant detectedAt) {
    public PowerModeChanged {
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(detectedAt, "detectedAt");
    }
}
