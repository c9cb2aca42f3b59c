package io.jedge.runtime.model;

import io.jedge.runtime.device.DeviceDetector;
import io.jedge.runtime.device.DeviceInfo;
import io.jedge.runtime.device.HostEnvironment;
import io.jedge.runtime.power.PowerListener;
import io.jedge.runtime.power.PowerModeChanged;
import io.jedge.runtime.power.PowerModeWatcher;
import io.jedge.runtime.power.PowerMonitor;
import io.jedge.runtime.selection.DeviceContext;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The real device: detected once, power state read fresh on each {@link #current()}, mode
 * changes followed by a {@link PowerModeWatcher}. Off Jetson the watcher has nothing to watch
 * and stays idle.
 */
final class JetsonEnvironment extends Environment {
    private final HostEnvironment host;
    private final DeviceInfo info;
    private final PowerMonitor monitor;

    JetsonEnvironment(HostEnvironment host) {
        super(null);
        this.host = host;
        this.info = new DeviceDetector(host).detect();
        this.monitor = new PowerMonitor(host, info);
    }

    @Override
    public DeviceContext context() {
        return current();
    }

    @Override
    public DeviceContext current() {
        String id = info.isJetson() ? info.module().profileId().orElse("jetson-" + info.module().name().toLowerCase(java.util.Locale.ROOT))
                : "host:" + info.cpuModel().orElse("unknown-cpu");
        DeviceContext c = context(info.module(), id, monitor.status().state(), false);
        if (!info.isJetson() && !info.gpus().isEmpty()) {
            // figures on a GPU host depend on the GPU too: key them by both
            c = new DeviceContext(c.deviceId() + "+" + info.gpus().get(0).name(), DeviceContext.Family.DISCRETE_GPU, c.powerMode(), c.powerBudgetW(),
                    c.onlineCpuCores(), c.memAvailableBytes(), false);
        }
        return c;
    }

    @Override
    public AutoCloseable onChange(Consumer<DeviceContext> listener) {
        if (!info.isJetson()) {
            return () -> { };
        }
        PowerModeWatcher w = PowerModeWatcher.builder(host).period(Duration.ofSeconds(2)).build();
        w.addListener(new PowerListener() {
            @Override
            public void powerModeChanged(PowerModeChanged event) {
                listener.accept(current());
            }
        });
        w.start();
        return w;
    }
}
