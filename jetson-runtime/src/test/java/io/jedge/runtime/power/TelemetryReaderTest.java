package io.jedge.runtime.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.device.CommandRunner;
import io.jedge.runtime.device.FakeRoots;
import io.jedge.runtime.device.HostAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryReaderTest {

    @Test
    void nanoIioRailsClocksAndTemperatures() {
        Telemetry t = new TelemetryReader(FakeRoots.env("jetson-nano")).read();
        assertEquals(Telemetry.Source.SYSFS, t.source());
        assertEquals(614.4, t.gpuCurMHz().orElseThrow(), 1e-9);
        assertEquals(640.0, t.gpuMaxMHz().orElseThrow(), 1e-9);
        assertEquals(12.0, t.gpuLoadPercent().orElseThrow(), 1e-9);
        assertEquals(4, t.cpus().size());
        assertEquals(2, t.onlineCores().orElseThrow());
        assertFalse(t.cpus().get(3).online());
        assertEquals(918.0, t.cpus().get(0).curMHz().orElseThrow(), 1e-9);
        assertEquals(25.0, t.cpus().get(0).loadPercent().orElseThrow(), 1e-9);
        assertEquals(20.0, t.cpuLoadPercent().orElseThrow(), 1e-9);
        assertEquals(1600.0, t.emcCapMHz().orElseThrow(), 1e-9);
        assertEquals(39.5, t.zone("CPU-therm").orElseThrow().celsius(), 1e-9);
        assertEquals(97.0, t.zone("CPU-therm").orElseThrow().passiveTripCelsius().orElseThrow(), 1e-9);
        assertTrue(t.zone("PMIC-Die").isEmpty(), "the fixed 100 C PMIC reading is skipped");
        assertEquals(List.of("POM_5V_IN", "POM_5V_GPU", "POM_5V_CPU"), t.rails().stream().map(RailReading::name).toList());
        assertEquals(2210.0, t.totalPowerMw().orElseThrow(), 1e-9);
        assertEquals("POM_5V_IN", t.totalPowerRail().orElseThrow());
        assertEquals(2543216L * 1024, t.memAvailableBytes().orElseThrow());
    }

    @Test
    void orinHwmonRailsUseVddInAsTotal() {
        Telemetry t = new TelemetryReader(FakeRoots.env("orin-nano-8gb")).read();
        assertEquals(3, t.rails().size(), "channel 7 (sum of shunt voltages) is skipped");
        RailReading in = t.rail("VDD_IN").orElseThrow();
        assertEquals(5020.0, in.voltageMv().orElseThrow(), 1e-9);
        assertEquals(1490.0, in.currentMa().orElseThrow(), 1e-9);
        assertEquals(7479.8, t.totalPowerMw().orElseThrow(), 1e-9);
        assertEquals(624.75, t.gpuMaxMHz().orElseThrow(), 1e-9);
        assertEquals(35.0, t.gpuLoadPercent().orElseThrow(), 1e-9);
        assertTrue(t.emcCapMHz().isEmpty(), "cap 0 means no cap");
        assertEquals(2133.0, t.emcCurMHz().orElseThrow(), 1e-9);
        assertEquals(10.0, t.emcLoadPercent().orElseThrow(), 1e-9);
        assertTrue(t.zone("cv0-thermal").isEmpty(), "-256 C is an offline zone");
        assertEquals(48.9, t.hottest().orElseThrow().celsius(), 1e-9);
    }

    @Test
    void agxHasNoVddInSoTheTotalIsTheSumOfRails() {
        Telemetry t = new TelemetryReader(FakeRoots.env("agx-orin-64gb")).read();
        assertEquals(List.of("VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0", "VDDQ_VDD2_1V8AO"), t.rails().stream().map(RailReading::name).toList());
        assertTrue(t.totalPowerRail().isEmpty());
        assertEquals(2346.24 + 638.976 + 4106.56 + 599.52, t.totalPowerMw().orElseThrow(), 1e-6);
        assertEquals(12, t.cpus().size());
        assertEquals(8, t.onlineCores().orElseThrow());
        assertEquals(612.0, t.gpuMaxMHz().orElseThrow(), 1e-9);
        assertEquals(0.0, t.gpuLoadPercent().orElseThrow(), 1e-9);
    }

    @Test
    void gpuFoundOnEachJetPackLayout() {
        assertEquals(1020.0, new TelemetryReader(FakeRoots.env("orin-nano-8gb-super")).read().gpuMaxMHz().orElseThrow(), 1e-9);
        Telemetry nx = new TelemetryReader(FakeRoots.env("orin-nx-16gb")).read();
        assertEquals(408.0, nx.gpuCurMHz().orElseThrow(), 1e-9);
        assertEquals(87.0, nx.gpuLoadPercent().orElseThrow(), 1e-9);
        assertEquals(17000.0, nx.totalPowerMw().orElseThrow(), 1e-9);
    }

    @Test
    void cpuLoadIsADeltaBetweenReads(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("jetson-nano", tmp.resolve("r"));
        TelemetryReader reader = new TelemetryReader(HostAccess.ofRoot(root));
        reader.read();
        // cpu0: +900 busy, +100 idle; cpu1: no change in busy, +1000 idle.
        Files.writeString(root.resolve("proc/stat"), "cpu  0 0 0 0 0 0 0 0 0 0\n"
                + "cpu0 2400 0 1000 7600 0 0 0 0 0 0\ncpu1 900 0 600 9500 0 0 0 0 0 0\n");
        Telemetry t = reader.read();
        assertEquals(90.0, t.cpus().get(0).loadPercent().orElseThrow(), 1e-9);
        assertEquals(0.0, t.cpus().get(1).loadPercent().orElseThrow(), 1e-9);
    }

    @Test
    void privilegedNodesDeniedLeaveFieldsEmptyWithNotes() {
        Path root = FakeRoots.path("orin-nano-8gb");
        HostAccess env = HostAccess.builder().root(root)
                .fileAccess(FakeRoots.denying(root, Set.of("/sys/kernel/debug/bpmp/debug/clk/emc/rate",
                        "/sys/devices/virtual/thermal/thermal_zone5/temp", "/sys/bus/i2c/drivers/ina3221/1-0040/hwmon")))
                .commandRunner(CommandRunner.none()).build();
        Telemetry t = new TelemetryReader(env).read();
        assertEquals(Telemetry.Source.SYSFS, t.source());
        assertTrue(t.emcCurMHz().isEmpty());
        assertTrue(t.emcLoadPercent().isEmpty());
        assertTrue(t.zone("tj-thermal").isEmpty());
        assertTrue(t.zone("cpu-thermal").isPresent());
        assertTrue(t.rails().isEmpty());
        assertTrue(t.totalPowerMw().isEmpty());
        assertTrue(t.notes().contains("/sys/kernel/debug/bpmp/debug/clk/emc/rate: permission denied"), t.notes().toString());
        assertTrue(t.notes().contains("/sys/devices/virtual/thermal/thermal_zone5/temp: permission denied"), t.notes().toString());
        assertTrue(t.notes().contains("/sys/bus/i2c/drivers/ina3221/1-0040/hwmon: permission denied"), t.notes().toString());
        assertEquals(624.75, t.gpuMaxMHz().orElseThrow(), 1e-9, "the rest is still read");
    }

    @Test
    void fallsBackToTegrastatsWhenSysfsIsEmpty(@TempDir Path tmp) throws IOException {
        Path root = tmp.resolve("container");
        Files.createDirectories(root.resolve("jedge-commands"));
        Files.writeString(root.resolve("jedge-commands/" + CommandRunner.captureKey(TelemetryReader.TEGRASTATS) + ".out"),
                "03-14-2026 10:02:11 RAM 2410/7620MB (lfb 96x4MB) SWAP 0/3810MB (cached 0MB) CPU [12%@1728,4%@1728,off,off,2%@1728,5%@1728]"
                        + " EMC_FREQ 9%@3199 GR3D_FREQ 41%@[1020] tj@51.2C VDD_IN 9120mW/8840mW VDD_SOC 2480mW/2460mW\n");
        Telemetry t = new TelemetryReader(HostAccess.ofRoot(root)).read();
        assertEquals(Telemetry.Source.TEGRASTATS, t.source());
        assertEquals(1020.0, t.gpuCurMHz().orElseThrow(), 1e-9);
        assertEquals(4, t.onlineCores().orElseThrow());
        assertEquals(9120.0, t.totalPowerMw().orElseThrow(), 1e-9);
        assertTrue(t.notes().stream().anyMatch(n -> n.contains("tegrastats")), t.notes().toString());
    }

    @Test
    void nothingReadableGivesSourceNone(@TempDir Path tmp) {
        Telemetry t = new TelemetryReader(HostAccess.builder().root(tmp).commandRunner(CommandRunner.none()).build()).read();
        assertEquals(Telemetry.Source.NONE, t.source());
        assertTrue(t.rails().isEmpty());
        assertTrue(t.notes().stream().anyMatch(n -> n.contains("tegrastats")), t.notes().toString());
    }
}
