package io.jedge.runtime.model;

import io.jedge.runtime.backend.Backend;
import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.runtime.selection.VariantSelector;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where a model runs: the device context the selection sees and the backends present. Tests
 * and {@code --simulate} construct one directly.
 */
public class Environment {
    private final DeviceContext context;

    public Environment(DeviceContext context) {
        this.context = context;
    }

    public DeviceContext context() {
        return context;
    }

    /** The device context now (a Jetson's power mode may have changed since construction). */
    public DeviceContext current() {
        return context;
    }

    /** Calls {@code listener} with the new context whenever the power mode changes; returns a handle to stop. */
    public AutoCloseable onChange(Consumer<DeviceContext> listener) {
        return () -> { };
    }

    public VariantSelector.BackendResolver backends() {
        List<Backend> all = Backends.all();
        return VariantSelector.resolver(format -> all.stream()
                        .filter(b -> b.supports(format) && b.unavailableReason().isEmpty()).map(Backend::name).findFirst(),
                this::engineMismatch,
                format -> all.stream().filter(b -> b.supports(format)).map(b -> b.name() + ": " + b.unavailableReason().orElse("?"))
                        .findFirst().orElse("no backend for " + format.id() + " on the class path"));
    }

    /** Empty when an engine variant may run here; otherwise what differs. Overridden once TensorRT is present. */
    protected Optional<String> engineMismatch(Variant v) {
        return v.format() == VariantFormat.TENSORRT_ENGINE ? Optional.of("TensorRT engine checks are not available") : Optional.empty();
    }

    public static Environment detect(LoadOptions options) {
        return new Environment(hostContext());
    }

    /** This machine as a CPU host: device id {@code host:<cpu model>}. */
    public static DeviceContext hostContext() {
        String cpu = "unknown-cpu";
        long avail = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    avail = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or restricted: the context stays generic
        }
        return new DeviceContext("host:" + cpu, DeviceContext.Family.CPU, null, null,
                Runtime.getRuntime().availableProcessors(), avail, false);
    }
}
