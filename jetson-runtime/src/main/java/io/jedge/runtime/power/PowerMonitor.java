package io.jedge.runtime.power;

import io.jedge.runtime.device.DeviceInfo;
import io.jedge.runtime.device.HostAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Combines the nvpmodel reading, the module's power profile and telemetry into a
 * {@link PowerStatus}. Never throws for missing or unreadable data. Thread-safe.
 *
 * <pre>{@code
 * HostAccess env = HostAccess.system();
 * DeviceInfo device = new DeviceDetector(env).detect();
 * PowerState now = new PowerMonitor(env, device).status().state();
 * }</pre>
 */
public final class PowerMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(PowerMonitor.class);
    private static final Pattern WATTS = Pattern.compile("(?:^|_)(\\d+)W(?:_|$)");

    private final HostAccess env;
    private final DeviceInfo device;
    private final Optional<PowerProfile> profile;
    private final List<String> profileNotes = new ArrayList<>();
    private final double thresholdC;
    private final PowerModeReader modes;
    private final TelemetryReader telemetry;

    /** Uses the shipped profile of the device's module and the default thermal threshold. */
    public PowerMonitor(HostAccess env, DeviceInfo device) {
        this(env, device, null, ThermalState.DEFAULT_THRESHOLD_C);
    }

    /**
     * @param profile the profile to use; {@code null} loads the module's shipped one
     * @param thermalThresholdC temperature at which throttling is reported
     */
    public PowerMonitor(HostAccess env, DeviceInfo device, PowerProfile profile, double thermalThresholdC) {
        this.env = Objects.requireNonNull(env, "env");
        this.device = Objects.requireNonNull(device, "device");
        if (!(thermalThresholdC > 0 && thermalThresholdC < 200)) {
            throw new IllegalArgumentException("thermal threshold " + thermalThresholdC + " C, expected 0 < t < 200");
        }
        this.thresholdC = thermalThresholdC;
        if (profile != null) {
            this.profile = Optional.of(profile);
        } else {
            Optional<PowerProfile> p;
            try {
                p = PowerProfiles.forModule(device.module());
            } catch (PowerProfileException e) {
                profileNotes.add("power profile not loaded: " + e.getMessage());
                p = Optional.empty();
            }
            this.profile = p;
        }
        this.modes = new PowerModeReader(env);
        this.telemetry = new TelemetryReader(env);
    }

    public Optional<PowerProfile> profile() {
        return profile;
    }

    public PowerStatus status() {
        List<String> notes = new ArrayList<>(profileNotes);
        PowerModeReading reading;
        Telemetry t;
        if (device.isJetson()) {
            reading = modes.read();
            t = telemetry.read();
        } else {
            reading = new PowerModeReading(Optional.empty(), Optional.empty(), PowerModeReader.DEFAULT_CONF,
                    List.of("not a Jetson: no nvpmodel power modes"));
            t = telemetry.readSysfs();
        }
        notes.addAll(reading.notes());
        for (String n : t.notes()) {
            // A non-Jetson host has no integrated-GPU devfreq node; saying so is noise.
            if (device.isJetson() || !n.startsWith("GPU devfreq node")) {
                notes.add(n);
            }
        }

        Optional<CurrentPowerMode> current = reading.current();
        boolean superConf = device.superVariant();
        Optional<ProfileMode> pm = Optional.empty();
        if (profile.isPresent() && current.isPresent()) {
            List<String> names = reading.conf().map(c -> c.modes().stream().map(NvpMode::name).toList()).orElse(List.of());
            superConf = profile.get().matchSuperConf(names, device.superVariant());
            if (superConf != device.superVariant() && !names.isEmpty()) {
                notes.add("the nvpmodel conf is a " + (superConf ? "super" : "non-super") + " conf but the device tree is "
                        + (device.superVariant() ? "super" : "non-super"));
            }
            String name = current.get().name();
            pm = profile.get().mode(name, superConf);
            if (pm.isEmpty()) {
                pm = profile.get().mode(name, !superConf);
                if (pm.isPresent()) {
                    notes.add("mode " + name + " found only among the " + (superConf ? "non-super" : "super") + " modes of profile "
                            + profile.get().id());
                } else {
                    notes.add("mode " + name + " is not in power profile " + profile.get().id());
                }
            }
        }
        Optional<NvpMode> confMode = current.flatMap(CurrentPowerMode::confMode);
        Optional<ProfileMode> profileMode = pm;

        OptionalDouble budget = pm.map(ProfileMode::budgetW).orElse(OptionalDouble.empty());
        if (budget.isEmpty() && current.isPresent() && pm.isEmpty()) {
            budget = budgetFromName(current.get().name());
        }
        OptionalInt cores = first(t.onlineCores(), confMode.map(NvpMode::onlineCores), pm.map(ProfileMode::onlineCores));
        OptionalDouble gpuMax = t.gpuMaxMHz();
        if (gpuMax.isEmpty()) {
            gpuMax = confMode.map(NvpMode::gpuMaxMHz).filter(OptionalDouble::isPresent)
                    .or(() -> profileMode.map(ProfileMode::gpuMaxMHz)).orElse(OptionalDouble.empty());
        }
        OptionalLong mem = t.memAvailableBytes().isPresent() ? t.memAvailableBytes() : device.memAvailableBytes();

        if (pm.isPresent()) {
            crossCheck(pm.get(), confMode, t, notes);
        }
        OptionalDouble gpuCap = confMode.map(NvpMode::gpuMaxMHz).filter(OptionalDouble::isPresent)
                .orElse(pm.filter(m -> !m.isUncapped("gpu")).map(ProfileMode::gpuMaxMHz).orElse(OptionalDouble.empty()));
        ThermalState thermal = ThermalState.evaluate(t.thermalZones(), thresholdC, t.gpuCurMHz(), gpuCap);

        PowerState state = new PowerState(device.module(), current.map(CurrentPowerMode::name), budget, cores, gpuMax, mem,
                superConf, false);
        LOG.debug("power status: {} ({} notes)", state, notes.size());
        return new PowerStatus(device, reading, profile, pm, t, thermal, state, notes);
    }

    /** Notes where the device disagrees with the profile: pending reboot, firmware-capped GPU. */
    private static void crossCheck(ProfileMode pm, Optional<NvpMode> confMode, Telemetry t, List<String> notes) {
        OptionalInt online = t.onlineCores();
        if (online.isPresent() && pm.onlineCores().isPresent() && online.getAsInt() != pm.onlineCores().getAsInt()) {
            notes.add("mode " + pm.name() + " expects " + pm.onlineCores().getAsInt() + " online cores, " + online.getAsInt()
                    + " are online (a mode change waiting for a reboot?)");
        }
        if (t.gpuMaxMHz().isPresent() && pm.gpuMaxMHz().isPresent()
                && t.gpuMaxMHz().getAsDouble() < pm.gpuMaxMHz().getAsDouble() * 0.97) {
            notes.add(String.format(java.util.Locale.ROOT, "GPU max_freq is %.2f MHz, below the %.2f MHz of mode %s (firmware or device-tree cap?)",
                    t.gpuMaxMHz().getAsDouble(), pm.gpuMaxMHz().getAsDouble(), pm.name()));
        }
    }

    /** The budget a mode name encodes: {@code 15W}, {@code MODE_30W}, {@code 7W_AI}. */
    static OptionalDouble budgetFromName(String name) {
        Matcher m = WATTS.matcher(name);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    @SafeVarargs
    private static OptionalInt first(OptionalInt a, Optional<OptionalInt>... rest) {
        if (a.isPresent()) {
            return a;
        }
        for (Optional<OptionalInt> o : rest) {
            if (o.isPresent() && o.get().isPresent()) {
                return o.get();
            }
        }
        return OptionalInt.empty();
    }
}
