package io.jedge.runtime.selection;

/**
 * What the selection knows about "here and now".
 *
 * @param deviceId           module id (e.g. {@code orin-nano-8gb}) or {@code host:<cpu>} off Jetson;
 *                           figures in bundles are keyed by it
 * @param family             coarse hardware family used by the priors
 * @param powerMode          current nvpmodel mode name (null off Jetson)
 * @param powerBudgetW       the mode's budget in watts (null when unknown)
 * @param onlineCpuCores     CPU cores the mode leaves online
 * @param memAvailableBytes  MemAvailable (unified memory on Jetson); 0 when unknown
 * @param simulated          true when this context describes a simulated device
 */
public record DeviceContext(String deviceId, Family family, String powerMode, Double powerBudgetW, int onlineCpuCores,
        long memAvailableBytes, boolean simulated) {

    /** Hardware families whose precision behaviour differs. */
    public enum Family {
        /** Maxwell GPU (original Jetson Nano): no fast FP16 path under TensorRT at low clocks, no INT8. */
        JETSON_MAXWELL,
        /** Ampere GPU with tensor cores (Orin Nano / NX / AGX). */
        JETSON_ORIN,
        /** A discrete NVIDIA GPU. */
        DISCRETE_GPU,
        /** CPU only (ONNX Runtime). */
        CPU
    }

    /** The figure key for power mode: the mode name, or null off Jetson. */
    public String figureMode() {
        return powerMode;
    }

    public String describe() {
        return deviceId + (powerMode == null ? "" : "/" + powerMode) + (simulated ? " (simulated)" : "");
    }
}
