package io.jedge.runtime.selection;

import io.jedge.runtime.device.JetsonModule;
import io.jedge.runtime.power.PowerState;
import java.util.Objects;

/**
 * What the selection knows about "here and now": a snapshot value. Ask
 * {@code io.jedge.runtime.model.Environment#current()} for it; do not assemble it by hand outside
 * tests.
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

    public DeviceContext {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(family, "family");
        if (onlineCpuCores < 1) {
            throw new IllegalArgumentException("device context '" + deviceId + "': onlineCpuCores " + onlineCpuCores + ", expected 1 or more");
        }
        if (memAvailableBytes < 0) {
            throw new IllegalArgumentException("device context '" + deviceId + "': memAvailableBytes " + memAvailableBytes
                    + ", expected 0 (unknown) or more");
        }
    }

    /** The context of {@code module}, known as {@code deviceId}, in power state {@code st}: the one conversion. */
    public static DeviceContext of(JetsonModule module, String deviceId, PowerState st) {
        Family family = module == JetsonModule.JETSON_NANO || module == JetsonModule.JETSON_NANO_2GB
                ? Family.JETSON_MAXWELL
                : module.isJetson() ? Family.JETSON_ORIN : Family.CPU;
        return new DeviceContext(deviceId, family, st.modeName().orElse(null),
                st.budgetW().isPresent() ? st.budgetW().getAsDouble() : null,
                st.onlineCores().orElse(Runtime.getRuntime().availableProcessors()), st.memAvailableBytes().orElse(0), st.simulated());
    }

    /** The figure key for power mode: the mode name, or null off Jetson. */
    public String figureMode() {
        return powerMode;
    }

    public String describe() {
        return deviceId + (powerMode == null ? "" : "/" + powerMode) + (simulated ? " (simulated)" : "");
    }
}
