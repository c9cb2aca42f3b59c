package io.jedge.runtime.model;

import io.jedge.runtime.device.DeviceDetector;
import io.jedge.runtime.device.DeviceInfo;
import io.jedge.runtime.device.HostAccess;
import io.jedge.runtime.power.PowerListener;
import io.jedge.runtime.power.PowerModeChanged;
import io.jedge.runtime.power.PowerModeWatcher;
import io.jedge.runtime.power.PowerMonitor;
import io.jedge.runtime.selection.DeviceContext;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * This host: detected once, power state read fresh on each {@link #current()}, mode changes
 * followed by a {@link PowerModeWatcher}. Off Jetson the watcher has nothing to watch and stays idle.
 */
final class LiveEnvironment implements Environment {
    private final HostAccess host;
    private final DeviceInfo info;
    private final PowerMonitor monitor;

    LiveEnvironment(HostAccess host) {
        this.host = host;
        this.info = new DeviceDetector(host).detect();
        this.monitor = new PowerMonitor(host, info);
    }

    @Override
    public DeviceContext current() {
        String id = info.isJetson() ? info.module().profileId().orElse("jetson-" + info.module().name().toLowerCase(Locale.ROOT))
                : "host:" + info.cpuModel().orElse("unknown-cpu");
        DeviceContext c = DeviceContext.of(info.module(), id, monitor.status().state());
        if (!info.isJetson() && !info.gpus().isEmpty()) {
            // figures on a GPU host depend on the GPU too: key them by both
            c = new DeviceContext(c.deviceId() + "+" + info.gpus().get(0).name(), DeviceContext.Family.DISCRETE_GPU, c.powerMode(),
                    c.powerBudgetW(), c.onlineCpuCores(), c.memAvailableBytes(), false);
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

    @Override
    public String toString() {
        return "live " + info.module();
    }
}
