package io.jedge.runtime.power;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Whether the device is (or is about to be) thermally throttled.
 *
 * <p>{@code throttling} is true when any zone is at or above the configured threshold or its own
 * passive trip point (where the kernel starts cutting clocks). {@code clockLimited} adds the
 * indicator the Jetson notes suggest: while hot, the GPU runs below the mode's cap.
 *
 * @param throttling a zone is at or over its limit
 * @param clockLimited hot and the GPU clock is below the mode's GPU cap
 * @param hottest the hottest zone, if any zone was readable
 * @param thresholdCelsius the configured threshold
 * @param reason a one-line explanation
 */
public record ThermalState(boolean throttling, boolean clockLimited, Optional<ThermalZoneReading> hottest,
        double thresholdCelsius, String reason) {

    /** The default threshold, below the Orin software-throttle trip points. */
    public static final double DEFAULT_THRESHOLD_C = 85.0;

    public ThermalState {
        Objects.requireNonNull(hottest, "hottest");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Evaluates zones against {@code thresholdC} and each zone's passive trip point.
     *
     * @param gpuCurMHz the current GPU clock, if known
     * @param gpuCapMHz the active mode's GPU cap, if it has one
     */
    public static ThermalState evaluate(List<ThermalZoneReading> zones, double thresholdC, OptionalDouble gpuCurMHz,
            OptionalDouble gpuCapMHz) {
        Optional<ThermalZoneReading> hottest = zones.stream().max(java.util.Comparator.comparingDouble(ThermalZoneReading::celsius));
        if (hottest.isEmpty()) {
            return new ThermalState(false, false, hottest, thresholdC, "no readable thermal zone");
        }
        ThermalZoneReading over = null;
        double overLimit = 0;
        for (ThermalZoneReading z : zones) {
            double limit = Math.min(thresholdC, z.passiveTripCelsius().orElse(Double.MAX_VALUE));
            if (z.celsius() >= limit && (over == null || z.celsius() - limit > z.celsius() - overLimit)) {
                over = z;
                overLimit = limit;
            }
        }
        if (over == null) {
            return new ThermalState(false, false, hottest, thresholdC,
                    String.format(java.util.Locale.ROOT, "hottest %s %.1f C, below %.1f C", hottest.get().name(), hottest.get().celsius(), thresholdC));
        }
        boolean limited = gpuCurMHz.isPresent() && gpuCapMHz.isPresent() && gpuCurMHz.getAsDouble() < gpuCapMHz.getAsDouble() * 0.98;
        String reason = String.format(java.util.Locale.ROOT, "%s at %.1f C, limit %.1f C%s", over.name(), over.celsius(), overLimit,
                limited ? String.format(java.util.Locale.ROOT, "; GPU at %.0f MHz of %.0f MHz cap", gpuCurMHz.getAsDouble(), gpuCapMHz.getAsDouble()) : "");
        return new ThermalState(true, limited, hottest, thresholdC, reason);
    }
}
