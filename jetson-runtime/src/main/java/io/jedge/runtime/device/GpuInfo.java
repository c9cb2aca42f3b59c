package io.jedge.runtime.device;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A discrete NVIDIA GPU reported by {@code nvidia-smi} on a non-Jetson host.
 *
 * @param name the product name
 * @param computeCapability for example {@code 9.0}, when the driver reports it
 * @param memoryBytes total device memory, when reported
 * @param driverVersion the driver version, when reported
 */
public record GpuInfo(String name, Optional<String> computeCapability, OptionalLong memoryBytes, Optional<String> driverVersion) {
    public GpuInfo {
        Objects.requireNonNull(name, "name");
    }
}
