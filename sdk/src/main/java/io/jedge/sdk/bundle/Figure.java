package io.jedge.sdk.bundle;

/**
 * One measured figure of a variant: where it was measured ({@code device} — a module id such as
 * {@code orin-nano-8gb} or a host description — {@code powerMode}, {@code backend}), at which
 * batch size, and what came out. {@code simulated} marks figures produced by a selection
 * simulation rather than a measurement; {@code powerW} and {@code joulesPerInference} are null
 * where no telemetry exists.
 */
public record Figure(String device, String powerMode, String backend, int threads, int batch, double latencyP50Ms,
        double latencyP95Ms, double throughputPerSec, Double powerW, Double joulesPerInference, String measuredAt,
        boolean simulated) {

    /** True when this figure was measured at the given place. */
    public boolean measuredOn(String device, String powerMode, String backend) {
        return this.device.equals(device) && java.util.Objects.equals(this.powerMode, powerMode)
                && this.backend.equals(backend);
    }
}
