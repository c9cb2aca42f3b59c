package io.jedge.converters.precision;

import java.time.Duration;
import java.util.Locale;

/**
 * How far a calibration run is, reported after each batch.
 *
 * @param done inputs (samples) run so far
 * @param total inputs in the calibration set
 * @param elapsed time since the first batch started
 * @param remaining estimated time left, from the mean time per input so far
 */
public record CalibrationProgress(int done, int total, Duration elapsed, Duration remaining) {
    /** Fraction done in [0, 1]. */
    public double fraction() {
        return total == 0 ? 1 : (double) done / total;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "calibration %d/%d inputs, %.1f s elapsed, %.1f s left", done, total,
                elapsed.toMillis() / 1e3, remaining.toMillis() / 1e3);
    }
}
