package io.jedge.runtime.power;

import io.jedge.runtime.device.HostAccess;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the nvpmodel status (and thermal zones) on a daemon thread and tells listeners when the
 * mode changes or thermal throttling starts or stops.
 *
 * <p>The first successful poll sets the baseline and emits nothing. A poll where the mode cannot
 * be read keeps the last known mode. Listeners are called on the watcher thread, in registration
 * order. {@link #close()} stops the thread and is idempotent; {@link #start()} after close
 * throws {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (PowerModeWatcher w = PowerModeWatcher.builder(env).period(Duration.ofSeconds(1)).build()) {
 *     w.addListener(new PowerListener() {
 *         public void powerModeChanged(PowerModeChanged e) { reselect(e.current().name()); }
 *     });
 *     w.start();
 *     ...
 * }
 * }</pre>
 */
public final class PowerModeWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PowerModeWatcher.class);

    private final PowerModeReader modes;
    private final TelemetryReader telemetry;
    private final Duration period;
    private final double thresholdC;
    private final boolean watchThermal;
    private final Clock clock;
    private final List<PowerListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private ScheduledExecutorService executor;
    private boolean closed;
    private volatile CurrentPowerMode current;
    private volatile ThermalState thermal;

    private PowerModeWatcher(Builder b) {
        this.modes = new PowerModeReader(b.env);
        this.telemetry = new TelemetryReader(b.env);
        this.period = b.period;
        this.thresholdC = b.thresholdC;
        this.watchThermal = b.watchThermal;
        this.clock = b.clock;
    }

    public static Builder builder(HostAccess env) {
        return new Builder(env);
    }

    public void addListener(PowerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(PowerListener listener) {
        listeners.remove(listener);
    }

    /** Starts polling (the first poll runs at once). Calling it again while running does nothing. */
    public PowerModeWatcher start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("PowerModeWatcher is closed");
            }
            if (executor == null) {
                executor = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "jedge-power-watcher");
                    t.setDaemon(true);
                    return t;
                });
                executor.scheduleWithFixedDelay(this::pollSafely, 0, period.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        return this;
    }

    /** The last known mode. */
    public Optional<CurrentPowerMode> currentMode() {
        return Optional.ofNullable(current);
    }

    /** The last thermal assessment. */
    public Optional<ThermalState> thermalState() {
        return Optional.ofNullable(thermal);
    }

    public Duration period() {
        return period;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warn("power watcher poll failed", e);
        }
    }

    /** One poll; package-private so tests can drive the watcher without a thread. */
    void poll() {
        PowerModeReading reading = modes.read();
        Optional<CurrentPowerMode> now = reading.current();
        CurrentPowerMode before = current;
        if (now.isPresent()) {
            current = now.get();
            if (before != null && !before.sameModeAs(now.get())) {
                PowerModeChanged event = new PowerModeChanged(before, now.get(), clock.instant());
                LOG.info("power mode changed: {} -> {}", before, now.get());
                for (PowerListener l : listeners) {
                    try {
                        l.powerModeChanged(event);
                    } catch (RuntimeException e) {
                        LOG.warn("power listener {} failed on {}", l, event, e);
                    }
                }
            }
        } else if (before != null) {
            LOG.debug("power mode unreadable this poll; keeping {}: {}", before, reading.notes());
        }
        if (watchThermal) {
            pollThermal(now.or(() -> Optional.ofNullable(before)));
        }
    }

    private void pollThermal(Optional<CurrentPowerMode> mode) {
        List<String> notes = new ArrayList<>();
        List<ThermalZoneReading> zones = telemetry.readThermal(notes);
        OptionalDouble cap = mode.flatMap(CurrentPowerMode::confMode).map(NvpMode::gpuMaxMHz).orElse(OptionalDouble.empty());
        ThermalState state = ThermalState.evaluate(zones, thresholdC, OptionalDouble.empty(), cap);
        if (state.throttling() && cap.isPresent()) {
            // Only when hot is the full read worth it: it tells whether the GPU is held below its cap.
            state = ThermalState.evaluate(zones, thresholdC, telemetry.readSysfs().gpuCurMHz(), cap);
        }
        ThermalState before = thermal;
        thermal = state;
        if (before != null && before.throttling() != state.throttling()) {
            LOG.info("thermal throttling {}: {}", state.throttling() ? "started" : "stopped", state.reason());
            for (PowerListener l : listeners) {
                try {
                    l.thermalStateChanged(state);
                } catch (RuntimeException e) {
                    LOG.warn("power listener {} failed on thermal change", l, e);
                }
            }
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService ex;
        synchronized (lock) {
            closed = true;
            ex = executor;
            executor = null;
        }
        if (ex != null) {
            ex.shutdownNow();
            try {
                ex.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Builds a {@link PowerModeWatcher}. */
    public static final class Builder {
        private final HostAccess env;
        private Duration period = Duration.ofSeconds(1);
        private double thresholdC = ThermalState.DEFAULT_THRESHOLD_C;
        private boolean watchThermal = true;
        private Clock clock = Clock.systemUTC();

        private Builder(HostAccess env) {
            this.env = Objects.requireNonNull(env, "env");
        }

        /** How often to poll; at least 10 ms (default 1 s). */
        public Builder period(Duration period) {
            this.period = Objects.requireNonNull(period, "period");
            return this;
        }

        /** Temperature at which throttling is reported (default {@value ThermalState#DEFAULT_THRESHOLD_C} C). */
        public Builder thermalThresholdC(double celsius) {
            this.thresholdC = celsius;
            return this;
        }

        /** Whether to poll thermal zones too (default true). */
        public Builder watchThermal(boolean watch) {
            this.watchThermal = watch;
            return this;
        }

        /** The clock that timestamps events. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public PowerModeWatcher build() {
            if (period.toMillis() < 10) {
                throw new IllegalArgumentException("watcher period " + period + ", expected at least 10 ms");
            }
            if (!(thresholdC > 0 && thresholdC < 200)) {
                throw new IllegalArgumentException("thermal threshold " + thresholdC + " C, expected 0 < t < 200");
            }
            return new PowerModeWatcher(this);
        }
    }
}
