package io.jedge.runtime.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.device.DeviceDetector;
import io.jedge.runtime.device.DeviceInfo;
import io.jedge.runtime.device.FakeRoots;
import io.jedge.runtime.device.HostAccess;
import io.jedge.runtime.device.JetsonModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PowerMonitorTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "jetson-nano,         5W,         5,  2,  640,     false, 2543216",
        "orin-nano-8gb,       15W,        15, 6,  624.75,  false, 6512000",
        "orin-nano-8gb-super, MAXN_SUPER, ,   6,  1020,    true,  6920000",
        "orin-nx-16gb,        25W,        25, 8,  408,     false, 13100000",
        "agx-orin-64gb,       MODE_30W,   30, 8,  612,     false, 58000000",
    })
    void powerStateOfEachTree(String tree, String mode, Double budget, int cores, double gpuMax, boolean superConf, long memKb) {
        HostAccess env = FakeRoots.env(tree);
        DeviceInfo device = new DeviceDetector(env).detect();
        PowerStatus s = new PowerMonitor(env, device).status();
        PowerState st = s.state();
        assertEquals(device.module(), st.module());
        assertEquals(mode, st.modeName().orElseThrow());
        assertEquals(budget == null ? OptionalDouble.empty() : OptionalDouble.of(budget), st.budgetW());
        assertEquals(cores, st.onlineCores().orElseThrow());
        assertEquals(gpuMax, st.gpuMaxMHz().orElseThrow(), 1e-9);
        assertEquals(superConf, st.superConf());
        assertEquals(memKb * 1024, st.memAvailableBytes().orElseThrow());
        assertFalse(st.simulated());
        assertEquals(mode, s.profileMode().orElseThrow().name());
        assertFalse(s.thermal().throttling(), s.thermal().reason());
        assertTrue(s.notes().stream().noneMatch(n -> n.contains("expects")), s.notes().toString());
    }

    @Test
    void nonJetsonHostHasNoModeButMemory() {
        HostAccess env = FakeRoots.env("x86-host");
        PowerStatus s = new PowerMonitor(env, new DeviceDetector(env).detect()).status();
        assertEquals(JetsonModule.NOT_JETSON, s.state().module());
        assertTrue(s.state().modeName().isEmpty());
        assertTrue(s.profile().isEmpty());
        assertEquals(28000000L * 1024, s.state().memAvailableBytes().orElseThrow());
        assertTrue(s.notes().stream().noneMatch(n -> n.startsWith("GPU devfreq")), s.notes().toString());
        assertTrue(s.notes().contains("not a Jetson: no nvpmodel power modes"), s.notes().toString());
    }

    @Test
    void notesAPendingRebootAndAFirmwareCappedGpu(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("orin-nano-8gb-super", tmp.resolve("r"));
        // MAXN_SUPER expects 6 cores, but two are offline, and the GPU is held at the non-super top.
        Files.writeString(root.resolve("var/lib/nvpmodel/status"), "pmode:0002 fmode:quiet\n");
        Files.writeString(root.resolve("sys/devices/system/cpu/online"), "0-3\n");
        Files.writeString(root.resolve("sys/devices/platform/bus@0/17000000.gpu/devfreq/17000000.gpu/max_freq"), "624750000\n");
        HostAccess env = HostAccess.ofRoot(root);
        PowerStatus s = new PowerMonitor(env, new DeviceDetector(env).detect()).status();
        assertEquals(4, s.state().onlineCores().orElseThrow(), "the real online count wins");
        assertEquals(624.75, s.state().gpuMaxMHz().orElseThrow(), 1e-9);
        assertTrue(s.notes().stream().anyMatch(n -> n.contains("expects 6 online cores, 4 are online")), s.notes().toString());
        assertTrue(s.notes().stream().anyMatch(n -> n.contains("GPU max_freq is 624.75 MHz, below the 1020.00 MHz")), s.notes().toString());
    }

    @Test
    void nonSuperConfOnSuperDeviceTreeIsNoted(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("orin-nano-8gb-super", tmp.resolve("r"));
        Files.copy(FakeRoots.path("orin-nano-8gb").resolve("etc/nvpmodel.conf"), root.resolve("etc/nvpmodel.conf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(root.resolve("var/lib/nvpmodel/status"), "pmode:0000 fmode:quiet\n");
        HostAccess env = HostAccess.ofRoot(root);
        PowerStatus s = new PowerMonitor(env, new DeviceDetector(env).detect()).status();
        assertFalse(s.state().superConf());
        assertEquals(624.75, s.profileMode().orElseThrow().gpuMaxMHz().orElseThrow(), 1e-9, "non-super 15W caps");
        assertTrue(s.notes().stream().anyMatch(n -> n.contains("non-super conf but the device tree is super")), s.notes().toString());
    }

    @Test
    void hotZoneOverItsTripPointIsThrottling(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("orin-nx-16gb", tmp.resolve("r"));
        Files.writeString(root.resolve("sys/devices/virtual/thermal/thermal_zone8/temp"), "99500\n"); // tj, passive trip 99 C
        Files.writeString(root.resolve("sys/devices/platform/bus@0/17000000.gpu/devfreq/17000000.gpu/cur_freq"), "306000000\n");
        HostAccess env = HostAccess.ofRoot(root);
        DeviceInfo device = new DeviceDetector(env).detect();
        ThermalState hot = new PowerMonitor(env, device, null, 100.0).status().thermal();
        assertTrue(hot.throttling(), hot.reason());
        assertTrue(hot.clockLimited(), "GPU at 306 of the 408 MHz cap");
        assertTrue(hot.reason().startsWith("tj-thermal at 99.5 C, limit 99.0 C"), hot.reason());
    }

    @Test
    void budgetFromModeNames() {
        assertEquals(30.0, PowerMonitor.budgetFromName("MODE_30W").orElseThrow(), 0);
        assertEquals(7.0, PowerMonitor.budgetFromName("7W_AI").orElseThrow(), 0);
        assertEquals(15.0, PowerMonitor.budgetFromName("15W").orElseThrow(), 0);
        assertTrue(PowerMonitor.budgetFromName("MAXN").isEmpty());
    }

    @Test
    void simulatedStateIsMarked() {
        PowerProfile p = PowerProfiles.load("jetson-nano");
        PowerState s = PowerState.simulated(JetsonModule.JETSON_NANO, p.mode("MAXN", false).orElseThrow(), java.util.OptionalLong.empty());
        assertTrue(s.simulated());
        assertEquals(10.0, s.budgetW().orElseThrow(), 0);
        assertEquals(921.6, s.gpuMaxMHz().orElseThrow(), 1e-9);
    }
}
