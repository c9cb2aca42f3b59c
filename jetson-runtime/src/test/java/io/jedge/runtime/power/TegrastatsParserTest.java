package io.jedge.runtime.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TegrastatsParserTest {

    @Test
    void parsesAJetPack4NanoLine() {
        Telemetry t = TegrastatsParser.parse("RAM 1870/3964MB (lfb 12x4MB) SWAP 120/1982MB (cached 4MB) IRAM 0/252kB(lfb 252kB) "
                + "CPU [7%@1479,3%@1479,5%@1479,2%@1479] EMC_FREQ 1%@1600 GR3D_FREQ 12%@921 APE 25 PLL@36C CPU@39.5C PMIC@100C "
                + "GPU@38C AO@44C thermal@38.75C POM_5V_IN 2210/2050 POM_5V_GPU 120/95 POM_5V_CPU 410/380");
        assertEquals(Telemetry.Source.TEGRASTATS, t.source());
        assertEquals((3964L - 1870L) * 1024 * 1024, t.memAvailableBytes().orElseThrow());
        assertEquals(4, t.cpus().size());
        assertEquals(4.25, t.cpuLoadPercent().orElseThrow(), 1e-9);
        assertEquals(1479.0, t.cpus().get(0).curMHz().orElseThrow(), 1e-9);
        assertEquals(1600.0, t.emcCurMHz().orElseThrow(), 1e-9);
        assertEquals(1.0, t.emcLoadPercent().orElseThrow(), 1e-9);
        assertEquals(12.0, t.gpuLoadPercent().orElseThrow(), 1e-9);
        assertEquals(921.0, t.gpuCurMHz().orElseThrow(), 1e-9);
        assertEquals(List.of("PLL", "CPU", "GPU", "AO", "thermal"), t.thermalZones().stream().map(ThermalZoneReading::name).toList());
        assertEquals(List.of("POM_5V_IN", "POM_5V_GPU", "POM_5V_CPU"), t.rails().stream().map(RailReading::name).toList());
        assertEquals(2050.0, t.rail("POM_5V_IN").orElseThrow().averageMw().orElseThrow(), 1e-9);
        assertEquals(2210.0, t.totalPowerMw().orElseThrow(), 1e-9);
    }

    @Test
    void parsesAJetPack6AgxLineWithoutVddIn() {
        Telemetry t = TegrastatsParser.parse("RAM 5000/30536MB (lfb 4x4MB) CPU [1%@729,off,off,off,0%@729,0%@729,0%@729,0%@729] "
                + "EMC_FREQ 2%@2133 GR3D_FREQ 0%@[0,0] NVENC off NVDEC off APE 174 cpu@47.9C soc2@44.1C soc0@45.0C tj@47.9C "
                + "soc1@45.3C gpu@-256C VDD_GPU_SOC 2350mW/2350mW VDD_CPU_CV 640mW/640mW VIN_SYS_5V0 4100mW/4100mW");
        assertEquals(5, t.onlineCores().orElseThrow());
        assertEquals(0.0, t.gpuCurMHz().orElseThrow(), 1e-9);
        assertTrue(t.zone("gpu").isEmpty(), "offline zone skipped");
        assertEquals(7090.0, t.totalPowerMw().orElseThrow(), 1e-9);
        assertTrue(t.totalPowerRail().isEmpty());
    }

    @Test
    void parsesJetPack7ThreeValueRailsAndPerGpcClocks() {
        Telemetry t = TegrastatsParser.parse("07-01-2026 12:00:00 RAM 18000/62817MB (lfb 1x2MB) CPU [20%@2201,10%@2201] "
                + "EMC_FREQ 4%@3199 GR3D_FREQ 15%@[1300,1300] tj@55.5C VDD_GPU_SOC 5200mW/5150mW/5300mW");
        assertEquals(1300.0, t.gpuCurMHz().orElseThrow(), 1e-9);
        assertEquals(5200.0, t.rail("VDD_GPU_SOC").orElseThrow().powerMw(), 1e-9);
        assertEquals(5150.0, t.rail("VDD_GPU_SOC").orElseThrow().averageMw().orElseThrow(), 1e-9);
        assertEquals(55.5, t.zone("tj").orElseThrow().celsius(), 1e-9);
    }

    @Test
    void unrecognisableLineIsSourceNone() {
        Telemetry t = TegrastatsParser.parse("hello world");
        assertEquals(Telemetry.Source.NONE, t.source());
        assertTrue(t.notes().get(0).contains("no recognisable fields"));
    }
}
