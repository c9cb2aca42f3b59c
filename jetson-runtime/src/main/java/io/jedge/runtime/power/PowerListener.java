package io.jedge.runtime.power;

/**
 * Receives {@link PowerModeWatcher} events on the watcher's thread. Implementations should return
 * quickly; an exception is logged and does not stop the watcher.
 */
public interface PowerListener {

    /** The active power mode changed. */
    default void powerModeChanged(PowerModeChanged event) {
    }

    /** Thermal throttling started or stopped ({@link ThermalState#throttling()} flipped). */
    default void thermalStateChanged(ThermalState state) {
    }
}
