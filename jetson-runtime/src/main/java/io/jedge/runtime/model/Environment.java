package io.jedge.runtime.model;

import io.jedge.runtime.backend.Backend;
import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.backend.trt.EngineCompatibility;
import io.jedge.runtime.backend.trt.TrtBackend;
import io.jedge.runtime.device.HostAccess;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.runtime.selection.VariantSelector;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where a model runs: the one way to ask "where am I". {@link #current()} is the device context
 * the selection sees now, {@link #onChange} follows power-mode changes, {@link #backends()} says
 * which backends can run what here.
 *
 * <p>Two implementations: {@link #live()} (this host, detected once, power state read on every
 * {@code current()}) and {@link SimulatedEnvironment} (a fixed context, for {@code --simulate}
 * and tests). Values it hands out ({@link DeviceContext}, the detected
 * {@link io.jedge.runtime.device.DeviceInfo}, {@link io.jedge.runtime.power.PowerState}) are
 * snapshots, not other ways to ask.
 *
 * <pre>{@code
 * Environment env = Environment.detect(options);   // live, or simulated when options.simulate() is set
 * DeviceContext now = env.current();
 * }</pre>
 */
public interface Environment {

    /** The device context now (a Jetson's power mode may change between calls). */
    DeviceContext current();

    /**
     * Calls {@code listener} with the new context whenever the power mode changes; the returned
     * handle stops it. Environments that cannot change return a handle that does nothing.
     */
    AutoCloseable onChange(Consumer<DeviceContext> listener);

    /** Which backend runs each variant format here, and why not when none does. */
    default VariantSelector.BackendResolver backends() {
        List<Backend> all = Backends.all();
        return VariantSelector.resolver(format -> all.stream()
                        .filter(b -> b.supports(format) && b.unavailableReason().isEmpty()).map(Backend::name).findFirst(),
                Environment::engineMismatch,
                format -> all.stream().filter(b -> b.supports(format)).map(b -> b.name() + ": " + b.unavailableReason().orElse("?"))
                        .findFirst().orElse("no backend for " + format.id() + " on the class path"));
    }

    /** This host, or the simulated device of {@code options.simulate()} when set. */
    static Environment detect(LoadOptions options) {
        return options.simulate() != null ? SimulatedEnvironment.of(options.simulate()) : live();
    }

    /** This host, detected now. */
    static Environment live() {
        return new LiveEnvironment(HostAccess.system());
    }

    /** The device as {@code MODULE:MODE} would be (e.g. {@code orin-nano-8gb:15W}); see {@link SimulatedEnvironment#of}. */
    static Environment simulate(String moduleAndMode) {
        return SimulatedEnvironment.of(moduleAndMode);
    }

    /**
     * Empty when an engine variant may run here; otherwise what differs from the platform it was
     * built for (only asked once TensorRT is known to load).
     */
    private static Optional<String> engineMismatch(Variant v) {
        if (v.format() != VariantFormat.TENSORRT_ENGINE || v.builtFor().isPortable()) {
            return Optional.empty();
        }
        TrtBackend trt = new TrtBackend();
        if (trt.unavailableReason().isPresent()) {
            return trt.unavailableReason();
        }
        EngineCompatibility c = EngineCompatibility.check(v.file(), v.builtFor(), trt.platform(0), null, null);
        return c.compatible(false) ? Optional.empty() : Optional.of(c.message());
    }
}
