package io.jedge.runtime.model;

import io.jedge.runtime.backend.Backend;
import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.backend.trt.EngineCompatibility;
import io.jedge.runtime.backend.trt.TrtBackend;
import io.jedge.runtime.device.HostEnvironment;
import io.jedge.runtime.device.JetsonModule;
import io.jedge.runtime.power.PowerProfile;
import io.jedge.runtime.power.PowerProfiles;
import io.jedge.runtime.power.PowerState;
import io.jedge.runtime.power.ProfileMode;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.runtime.selection.VariantSelector;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
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

    /**
     * Empty when an engine variant may run here; otherwise what differs from the platform it was
     * built for (only asked once TensorRT is known to load).
     */
    protected Optional<String> engineMismatch(Variant v) {
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

    /** This host (or the simulated device of {@code options.simulate()}). */
    public static Environment detect(LoadOptions options) {
        if (options.simulate() != null) {
            return simulate(options.simulate());
        }
        return new JetsonEnvironment(HostEnvironment.system());
    }

    /** A device as {@code MODULE:MODE} would be (e.g. {@code orin-nano-8gb:15W}), from its power profile. */
    public static Environment simulate(String moduleAndMode) {
        int colon = moduleAndMode.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--simulate '" + moduleAndMode + "', expected MODULE:MODE such as orin-nano-8gb:15W");
        }
        String id = moduleAndMode.substring(0, colon);
        String mode = moduleAndMode.substring(colon + 1);
        PowerProfile profile;
        try {
            profile = PowerProfiles.load(id);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--simulate: no power profile '" + id + "' (" + e.getMessage()
                    + "); profiles: jetson-nano, orin-nano-4gb, orin-nano-8gb, orin-nx-8gb, orin-nx-16gb, agx-orin-32gb, agx-orin-64gb", e);
        }
        Optional<ProfileMode> m = profile.modes().stream().filter(x -> x.name().equalsIgnoreCase(mode)).findFirst();
        if (m.isEmpty()) {
            throw new IllegalArgumentException("--simulate: " + id + " has no power mode '" + mode + "'; its modes are "
                    + profile.modes().stream().map(ProfileMode::name).distinct().toList());
        }
        PowerState st = PowerState.simulated(profile.module(), m.get(), java.util.OptionalLong.empty());
        return new Environment(context(profile.module(), id, st, true));
    }

    /** The selection's view of a device and power state. */
    static DeviceContext context(JetsonModule module, String deviceId, PowerState st, boolean simulated) {
        DeviceContext.Family family = module == JetsonModule.JETSON_NANO || module == JetsonModule.JETSON_NANO_2GB
                ? DeviceContext.Family.JETSON_MAXWELL
                : module.isJetson() ? DeviceContext.Family.JETSON_ORIN : DeviceContext.Family.CPU;
        return new DeviceContext(deviceId, family, st.modeName().orElse(null),
                st.budgetW().isPresent() ? st.budgetW().getAsDouble() : null,
                st.onlineCores().orElse(Runtime.getRuntime().availableProcessors()), st.memAvailableBytes().orElse(0), simulated);
    }

    /** This machine as a CPU host: device id {@code host:<cpu model>}. */
    public static DeviceContext hostContext() {
        return new JetsonEnvironment(HostEnvironment.system()).current();
    }
}
