package io.jedge.runtime.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.device.CommandRunner;
import io.jedge.runtime.device.FakeRoots;
import io.jedge.runtime.device.HostAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PowerModeWatcherTest {

    private static final class Recorder implements PowerListener {
        final List<PowerModeChanged> modes = new CopyOnWriteArrayList<>();
        final List<ThermalState> thermal = new CopyOnWriteArrayList<>();
        final CountDownLatch firstChange = new CountDownLatch(1);

        @Override
        public void powerModeChanged(PowerModeChanged event) {
            modes.add(event);
            firstChange.countDown();
        }

        @Override
        public void thermalStateChanged(ThermalState state) {
            thermal.add(state);
        }
    }

    @Test
    void emitsAnEventWhenTheStatusFileChanges(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("orin-nano-8gb-super", tmp.resolve("r"));
        Recorder rec = new Recorder();
        try (PowerModeWatcher w = PowerModeWatcher.builder(HostAccess.ofRoot(root)).build()) {
            w.addListener(rec);
            w.poll();
            assertEquals("MAXN_SUPER", w.currentMode().orElseThrow().name());
            assertTrue(rec.modes.isEmpty(), "the first poll is the baseline");
            w.poll();
            assertTrue(rec.modes.isEmpty(), "no change, no event");
            Files.writeString(root.resolve("var/lib/nvpmodel/status"), "pmode:0001 fmode:quiet\n");
            w.poll();
            assertEquals(1, rec.modes.size());
            PowerModeChanged e = rec.modes.get(0);
            assertEquals("MAXN_SUPER", e.previous().name());
            assertEquals("25W", e.current().name());
            assertEquals(1, e.current().id());
        }
    }

    @Test
    void unreadableStatusKeepsTheLastModeSilently(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("jetson-nano", tmp.resolve("r"));
        Recorder rec = new Recorder();
        try (PowerModeWatcher w = PowerModeWatcher.builder(HostAccess.builder().root(root).commandRunner(CommandRunner.none()).build())
                .build()) {
            w.addListener(rec);
            w.poll();
            Files.delete(root.resolve("var/lib/nvpmodel/status"));
            w.poll();
            assertEquals("5W", w.currentMode().orElseThrow().name());
            Files.writeString(root.resolve("var/lib/nvpmodel/status"), "pmode:0000 fmode:fanNull\n");
            w.poll();
            assertEquals(1, rec.modes.size());
            assertEquals("MAXN", rec.modes.get(0).current().name());
        }
    }

    @Test
    void signalsThermalThrottlingStartAndStop(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("orin-nano-8gb", tmp.resolve("r"));
        Path tj = root.resolve("sys/devices/virtual/thermal/thermal_zone5/temp");
        Recorder rec = new Recorder();
        try (PowerModeWatcher w = PowerModeWatcher.builder(HostAccess.ofRoot(root)).thermalThresholdC(80).build()) {
            w.addListener(rec);
            w.poll();
            Files.writeString(tj, "81500\n");
            w.poll();
            Files.writeString(tj, "60000\n");
            w.poll();
            assertEquals(2, rec.thermal.size());
            assertTrue(rec.thermal.get(0).throttling());
            assertEquals("tj-thermal", rec.thermal.get(0).hottest().orElseThrow().name());
            assertTrue(!rec.thermal.get(1).throttling());
            assertTrue(rec.modes.isEmpty());
        }
    }

    @Test
    void backgroundThreadDeliversChanges(@TempDir Path tmp) throws Exception {
        Path root = FakeRoots.copy("orin-nx-16gb", tmp.resolve("r"));
        Recorder rec = new Recorder();
        PowerModeWatcher w = PowerModeWatcher.builder(HostAccess.ofRoot(root)).period(Duration.ofMillis(20)).build();
        w.addListener(rec);
        w.start();
        // Wait for the baseline before changing the file, so the change is seen as a change.
        for (int i = 0; i < 500 && w.currentMode().isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertEquals("25W", w.currentMode().orElseThrow().name());
        Files.writeString(root.resolve("var/lib/nvpmodel/status"), "pmode:0000 fmode:quiet\n");
        assertTrue(rec.firstChange.await(30, TimeUnit.SECONDS), "no mode change event");
        assertEquals("MAXN", rec.modes.get(0).current().name());
        w.close();
        w.close();
        assertThrows(IllegalStateException.class, w::start);
    }

    @Test
    void validatesOptions() {
        HostAccess env = FakeRoots.env("jetson-nano");
        assertThrows(IllegalArgumentException.class, () -> PowerModeWatcher.builder(env).period(Duration.ofMillis(1)).build());
        assertThrows(IllegalArgumentException.class, () -> PowerModeWatcher.builder(env).thermalThresholdC(-5).build());
    }
}
