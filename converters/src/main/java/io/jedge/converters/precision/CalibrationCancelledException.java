package io.jedge.converters.precision;

import java.util.concurrent.CancellationException;

/**
 * Calibration stopped because its thread was interrupted. Nothing was written; the interrupt
 * flag is set again before this is thrown.
 */
public final class CalibrationCancelledException extends CancellationException {
    private static final long serialVersionUID = 1L;
    private final int done;
    private final int total;

    public CalibrationCancelledException(int done, int total) {
        super("calibration interrupted after " + done + " of " + total + " inputs; no variant was written");
        this.done = done;
        this.total = total;
    }

    /** Inputs calibrated before the interrupt. */
    public int done() {
        return done;
    }

    public int total() {
        return total;
    }
}
