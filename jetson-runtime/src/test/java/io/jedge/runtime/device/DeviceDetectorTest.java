package io.jedge.runtime.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeviceDetectorTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "jetson-nano,         JETSON_NANO,   false, 32.7.1, 4.6.1, 10.2.300, 8.2.1,  tegra210, 5.3, 2543216",
        "orin-nano-8gb,       ORIN_NANO_8GB, false, 35.4.1, 5.1.2, 11.4.315, 8.5.2,  tegra234, 8.7, 6512000",
        "orin-nano-8gb-super, ORIN_NANO_8GB, true,  36.4.3, 6.2,   12.6.68,  10.3.0, tegra234, 8.7, 6920000",
        "orin-nx-16gb,        ORIN_NX_16GB,  false, 36.4.0, 6.1,   12.6.68,  10.3.0, tegra234, 8.7, 13100000",
        "agx-orin-64gb,       AGX_ORIN_64GB, false, 35.3.1, 5.1.1, 11.4.315, 8.5.2,  tegra234, 8.7, 58000000",
    })
    void identifiesEachJetsonTree(String tree, JetsonModule module, boolean superVariant, String l4t, String jetpack,
            String cuda, String trt, String soc, String arch, long memAvailKb) {
        DeviceInfo info = new DeviceDetector(FakeRoots.env(tree)).detect();
        assertTrue(info.isJetson());
        assertEquals(module, info.module());
        assertEquals(superVariant, info.superVariant());
        assertEquals(l4t, info.l4t().orElseThrow().toString());
        assertEquals(jetpack, info.jetpack().orElseThrow().version());
        assertTrue(info.jetpack().orElseThrow().exact());
        assertEquals(cuda, info.cudaVersion().orElseThrow());
        assertEquals(trt, info.tensorRtVersion().orElseThrow());
        assertEquals(soc, info.soc().orElseThrow());
        assertEquals(arch, info.cudaArch().orElseThrow());
        assertEquals(memAvailKb * 1024, info.memAvailableBytes().orElseThrow());
        assertTrue(info.model().isPresent());
        assertFalse(info.model().get().contains("\0"));
        assertTrue(info.gpus().isEmpty(), "no discrete GPU query on Jetson");
    }

    @Test
    void nanoDetailsFromTheTree() {
        DeviceInfo info = new DeviceDetector(FakeRoots.env("jetson-nano")).detect();
        assertEquals("NVIDIA Jetson Nano Developer Kit", info.model().orElseThrow());
        assertEquals(List.of("nvidia,p3449-0000-b00+p3448-0000-b00", "nvidia,jetson-nano", "nvidia,tegra210"), info.compatible());
        assertEquals(4, info.cpuCores(), "present cores, including the two offline in 5W");
        assertEquals("ARMv8 Processor rev 1 (v8l)", info.cpuModel().orElseThrow());
        assertEquals(4059104L * 1024, info.memTotalBytes().orElseThrow());
        assertEquals("/etc/nv_tegra_release", info.l4t().orElseThrow().source());
    }

    @Test
    void orinCoreTypeComesFromTheCpuPart() {
        DeviceInfo info = new DeviceDetector(FakeRoots.env("agx-orin-64gb")).detect();
        assertEquals("Arm Cortex-A78AE", info.cpuModel().orElseThrow());
        assertEquals(12, info.cpuCores());
        assertEquals("Jetson AGX Orin Developer Kit", info.model().orElseThrow());
    }

    @Test
    void l4tFallsBackToThePackageVersion() {
        DeviceInfo info = new DeviceDetector(FakeRoots.env("orin-nx-16gb")).detect();
        assertEquals("dpkg nvidia-l4t-core", info.l4t().orElseThrow().source());
        assertEquals("36.4.0-20240912212859", info.l4t().orElseThrow().raw());
    }

    @Test
    void superModelStringIsForDisplayOnly() {
        DeviceInfo info = new DeviceDetector(FakeRoots.env("orin-nano-8gb-super")).detect();
        assertEquals("NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super", info.model().orElseThrow());
        assertEquals("Jetson Orin Nano 8GB (super)", info.displayName());
        assertEquals("orin-nano-8gb", info.module().profileId().orElseThrow());
    }

    @Test
    void x86HostIsReportedWithCpuAndGpu() {
        DeviceInfo info = new DeviceDetector(FakeRoots.env("x86-host")).detect();
        assertFalse(info.isJetson());
        assertEquals(JetsonModule.NOT_JETSON, info.module());
        assertTrue(info.l4t().isEmpty());
        assertEquals("AMD EPYC 7B13 64-Core Processor", info.cpuModel().orElseThrow());
        assertEquals(4, info.cpuCores());
        assertEquals(28000000L * 1024, info.memAvailableBytes().orElseThrow());
        assertEquals(1, info.gpus().size());
        GpuInfo gpu = info.gpus().get(0);
        assertEquals("NVIDIA H200", gpu.name());
        assertEquals("9.0", gpu.computeCapability().orElseThrow());
        assertEquals(143771L * 1024 * 1024, gpu.memoryBytes().orElseThrow());
        assertEquals("570.86.15", gpu.driverVersion().orElseThrow());
        assertEquals("9.0", info.cudaArch().orElseThrow());
    }

    @Test
    @org.junit.jupiter.api.Timeout(20)
    void hostileTreeAnswersPromptlyWithoutExhaustingTheHeap(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("orin-nano-8gb", tmp.resolve("r"));
        Files.writeString(root.resolve("sys/devices/system/cpu/present"), "0-2147483647\n");
        Path conf = root.resolve("etc/nvpmodel.conf");
        Files.delete(conf);
        Path zero = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(zero), "needs /dev/zero");
        Files.createSymbolicLink(conf, zero);
        HostAccess env = HostAccess.builder().root(root).commandRunner(CommandRunner.none()).build();
        DeviceInfo info = new DeviceDetector(env).detect();
        assertEquals(JetsonModule.ORIN_NANO_8GB, info.module());
        assertTrue(info.cpuCores() >= 0 && info.cpuCores() <= DeviceDetector.MAX_CPUS, "absurd CPU range ignored: " + info.cpuCores());
        io.jedge.runtime.power.PowerStatus s = new io.jedge.runtime.power.PowerMonitor(env, info).status();
        assertTrue(s.notes().stream().anyMatch(n -> n.contains("nvpmodel.conf") && n.contains("larger than")),
                s.notes().toString());
    }

    @Test
    void cpuRangesParseWithinLinuxLimits() {
        assertEquals(6, DeviceDetector.countRange("0-5"));
        assertEquals(5, DeviceDetector.countRange("0-3,6"));
        assertEquals(0, DeviceDetector.countRange("0-2147483647"));
        assertEquals(0, DeviceDetector.countRange("0-8191,9000"));
        assertEquals(0, DeviceDetector.countRange("-4"));
    }

    @Test
    void hostWithoutNvidiaSmiHasNoGpusAndNoNote(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("x86-host", tmp.resolve("r"));
        DeviceInfo info = new DeviceDetector(HostAccess.builder().root(root).commandRunner(CommandRunner.none()).build()).detect();
        assertTrue(info.gpus().isEmpty());
        assertTrue(info.notes().stream().noneMatch(n -> n.contains("nvidia-smi")), info.notes().toString());
    }

    @Test
    void missingReleaseFileAndPackageLeaveL4tEmptyWithANote(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("jetson-nano", tmp.resolve("r"));
        Files.delete(root.resolve("etc/nv_tegra_release"));
        DeviceInfo info = new DeviceDetector(HostAccess.builder().root(root).commandRunner(CommandRunner.none()).build()).detect();
        assertEquals(JetsonModule.JETSON_NANO, info.module(), "still a Jetson from the compatible string");
        assertTrue(info.l4t().isEmpty());
        assertTrue(info.jetpack().isEmpty());
        assertTrue(info.notes().stream().anyMatch(n -> n.contains("L4T version unknown")), info.notes().toString());
    }

    @Test
    void containerWithoutDeviceTreeIsAnUnknownJetson(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("orin-nano-8gb-super", tmp.resolve("r"));
        Files.delete(root.resolve("proc/device-tree/compatible"));
        Files.delete(root.resolve("proc/device-tree/model"));
        DeviceInfo info = new DeviceDetector(HostAccess.ofRoot(root)).detect();
        assertEquals(JetsonModule.UNKNOWN_JETSON, info.module());
        assertEquals("36.4.3", info.l4t().orElseThrow().toString());
        assertTrue(info.model().isEmpty());
        assertTrue(info.module().profileId().isEmpty());
        assertTrue(info.notes().stream().anyMatch(n -> n.contains("compatible")), info.notes().toString());
    }

    @Test
    void unreadableFilesDegradeToNotes() {
        Path root = FakeRoots.path("orin-nano-8gb");
        HostAccess env = HostAccess.builder().root(root)
                .fileAccess(FakeRoots.denying(root, Set.of("/proc/meminfo", "/etc/nv_tegra_release")))
                .commandRunner(CommandRunner.captured(root.resolve("jedge-commands"))).build();
        DeviceInfo info = new DeviceDetector(env).detect();
        assertEquals(JetsonModule.ORIN_NANO_8GB, info.module());
        assertTrue(info.memAvailableBytes().isEmpty());
        assertTrue(info.memTotalBytes().isEmpty());
        assertTrue(info.l4t().isEmpty());
        assertTrue(info.notes().contains("/proc/meminfo: permission denied"), info.notes().toString());
        assertTrue(info.notes().contains("/etc/nv_tegra_release: permission denied"), info.notes().toString());
    }

    @Test
    void parsesTensorRtHeadersWithIndirectMacros() {
        String header = "#define TRT_MAJOR_ENTERPRISE 10\n#define TRT_MINOR_ENTERPRISE 7\n#define TRT_PATCH_ENTERPRISE 0\n"
                + "#define NV_TENSORRT_MAJOR TRT_MAJOR_ENTERPRISE\n#define NV_TENSORRT_MINOR TRT_MINOR_ENTERPRISE\n"
                + "#define NV_TENSORRT_PATCH TRT_PATCH_ENTERPRISE\n";
        assertEquals("10.7.0", DeviceDetector.parseTrtHeader(header).orElseThrow());
        assertTrue(DeviceDetector.parseTrtHeader("#define NV_TENSORRT_MAJOR 8\n").isEmpty());
    }

    @Test
    void parsesCpuRanges() {
        assertEquals(List.of(0, 1, 2, 3, 6), DeviceDetector.parseRange("0-3,6\n"));
        assertEquals(12, DeviceDetector.countRange("0-11"));
        assertEquals(1, DeviceDetector.countRange("0"));
    }
}
