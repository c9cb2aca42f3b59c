package io.jedge.runtime.model;

import io.jedge.runtime.power.PowerProfile;
import io.jedge.runtime.power.PowerProfiles;
import io.jedge.runtime.power.PowerState;
import io.jedge.runtime.power.ProfileMode;
import io.jedge.runtime.selection.DeviceContext;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * A device that is not this host, or this host frozen: a fixed {@link DeviceContext} that never
 * changes. {@code --simulate MODULE:MODE} uses {@link #of(String)}; tests pass a context directly.
 * Backends are still the ones present here. Immutable and thread-safe.
 */
public final class SimulatedEnvironment implements Environment {
    private final DeviceContext context;

    /** An environment whose {@link #current()} is always {@code context}. */
    public SimulatedEnvironment(DeviceContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * The device as {@code MODULE:MODE} would be (e.g. {@code orin-nano-8gb:15W}), from its shipped
     * power profile.
     *
     * @throws IllegalArgumentException for a malformed value, an unknown module or a mode it lacks
     */
    public static SimulatedEnvironment of(String moduleAndMode) {
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
        PowerState st = PowerState.simulated(profile.module(), m.get(), OptionalLong.empty());
        return new SimulatedEnvironment(DeviceContext.of(profile.module(), id, st));
    }

    @Override
    public DeviceContext current() {
        return context;
    }

    @Override
    public AutoCloseable onChange(Consumer<DeviceContext> listener) {
        return () -> { };
    }

    @Override
    public String toString() {
        return context.describe();
    }
}
