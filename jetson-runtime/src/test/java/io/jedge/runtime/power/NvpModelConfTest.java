package io.jedge.runtime.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NvpModelConfTest {
    private static final String CONF = """
            # comment
            < PARAM TYPE=FILE NAME=CPU_ONLINE >
            CORE_0 /sys/devices/system/cpu/cpu0/online
            CORE_4 /sys/devices/system/cpu/cpu4/online
            < PARAM TYPE=CLOCK NAME=GPU >
            MAX_FREQ /sys/devices/17000000.ga10b/devfreq/17000000.ga10b/max_freq
            MAX_FREQ_KNEXT /sys/devices/platform/17000000.gpu/devfreq_dev/max_freq
            <PARAM TYPE=CLOCK NAME=EMC >
            MAX_FREQ /sys/kernel/nvpmodel_emc_cap/emc_iso_cap

            # a 15W-style mode
            < POWER_MODEL ID=2 NAME=15W >
            CPU_ONLINE CORE_0 1
            CPU_ONLINE CORE_4 0
            TPC_POWER_GATING TPC_PG_MASK 252
            CPU_A78_0 MIN_FREQ 729600
            CPU_A78_0 MAX_FREQ 1420800
            GPU MIN_FREQ 0
            GPU MAX_FREQ 612000000
            EMC MAX_FREQ -1

            <POWER_MODEL NAME=MAXN_SUPER ID=0>
            CPU_A78_0 MAX_FREQ -1
            GPU MAX_FREQ -1
            EMC MAX_FREQ 3199000000

            < PM_CONFIG DEFAULT=2 >
            """;

    @Test
    void parsesModesParamsAndDefault() {
        List<String> problems = new ArrayList<>();
        NvpModelConf conf = NvpModelConf.parse(CONF, problems);
        assertTrue(problems.isEmpty(), problems.toString());
        assertEquals(2, conf.modes().size());
        assertEquals(2, conf.defaultId().orElseThrow());
        NvpMode m = conf.byName("15w").orElseThrow();
        assertEquals(2, m.id());
        assertEquals(1, m.onlineCores().orElseThrow());
        assertEquals(1420.8, m.cpuMaxMHz().orElseThrow(), 1e-9);
        assertEquals(612.0, m.gpuMaxMHz().orElseThrow(), 1e-9);
        assertTrue(m.emcMaxMHz().isEmpty(), "-1 is uncapped");
        assertEquals("252", m.value("TPC_POWER_GATING", "TPC_PG_MASK").orElseThrow());
        assertEquals("/sys/kernel/nvpmodel_emc_cap/emc_iso_cap", conf.paramPath("EMC", "MAX_FREQ").orElseThrow());
        assertEquals(List.of("CPU_ONLINE", "GPU", "EMC"), conf.paramNames());
    }

    @Test
    void attributesInAnyOrderAndCapsAboveIntMax() {
        NvpMode maxn = NvpModelConf.parse(CONF, null).byId(0).orElseThrow();
        assertEquals("MAXN_SUPER", maxn.name());
        assertTrue(maxn.cpuMaxMHz().isEmpty());
        assertTrue(maxn.gpuMaxMHz().isEmpty());
        assertTrue(maxn.onlineCores().isEmpty(), "no CPU_ONLINE lines");
        assertEquals(3199.0, maxn.emcMaxMHz().orElseThrow(), 1e-9, "3.199 GHz exceeds INT_MAX Hz but is a real cap");
    }

    @Test
    void reportsMalformedLinesAndKeepsGoing() {
        List<String> problems = new ArrayList<>();
        NvpModelConf conf = NvpModelConf.parse("""
                < POWER_MODEL ID=x NAME=BAD >
                GPU MAX_FREQ 1
                < POWER_MODEL ID=1 NAME=OK >
                GPU MAX_FREQ
                GPU MAX_FREQ 408000000
                < PM_CONFIG DEFAULT= >
                """, problems);
        assertEquals(1, conf.modes().size());
        assertEquals(408.0, conf.byId(1).orElseThrow().gpuMaxMHz().orElseThrow(), 1e-9);
        assertTrue(conf.defaultId().isEmpty());
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("line 1:"), problems.get(0));
    }
}
