package io.jedge.runtime.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JetsonModuleTest {

    @Test
    void mapsSkusFromCompatibleTokens() {
        assertEquals(JetsonModule.ORIN_NX_16GB, of("nvidia,p3768-0000+p3767-0000", "nvidia,p3767-0000", "nvidia,tegra234"));
        assertEquals(JetsonModule.ORIN_NX_8GB, of("nvidia,p3509-0000+p3767-0001", "nvidia,tegra234"));
        assertEquals(JetsonModule.ORIN_NANO_4GB, of("nvidia,p3768-0000+p3767-0004-super", "nvidia,tegra234"));
        assertEquals(JetsonModule.ORIN_NANO_8GB, of("nvidia,p3768-0000+p3767-0003"));
        assertEquals(JetsonModule.AGX_ORIN_32GB, of("nvidia,p3737-0000+p3701-0004", "nvidia,p3701-0004", "nvidia,tegra234"));
        assertEquals(JetsonModule.AGX_ORIN_DEVKIT, of("nvidia,p3737-0000+p3701-0000"));
        assertEquals(JetsonModule.JETSON_NANO, of("nvidia,p3450-0000", "nvidia,jetson-nano", "nvidia,tegra210"));
        assertEquals(JetsonModule.JETSON_NANO_2GB, of("nvidia,p3542-0000+p3448-0003", "nvidia,jetson-nano", "nvidia,tegra210"));
        assertTrue(JetsonModule.fromCompatible(List.of("nvidia,tegra234")).isEmpty());
        assertTrue(JetsonModule.fromCompatible(List.of("raspberrypi,4-model-b", "brcm,bcm2711")).isEmpty());
    }

    @Test
    void profileIdsNameShippedFiles() {
        assertEquals("agx-orin-64gb", JetsonModule.AGX_ORIN_DEVKIT.profileId().orElseThrow());
        assertEquals("orin-nx-8gb", JetsonModule.ORIN_NX_8GB.profileId().orElseThrow());
        assertTrue(JetsonModule.NOT_JETSON.profileId().isEmpty());
        assertTrue(!JetsonModule.NOT_JETSON.isJetson() && JetsonModule.UNKNOWN_JETSON.isJetson());
    }

    private static JetsonModule of(String... tokens) {
        return JetsonModule.fromCompatible(List.of(tokens)).orElseThrow();
    }
}
