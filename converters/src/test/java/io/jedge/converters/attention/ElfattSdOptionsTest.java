package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElfattSdOptionsTest {
    static void refused(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void publicConstructorRefusesBadValues() {
        refused("layers must not be null", () -> new ElfattSdOptions(null, 256, 0, 0.3, 0.075));
        refused("layers: [1, null], expected block indices", () -> new ElfattSdOptions(Arrays.asList(1, null), 256, 0, 0.3, 0.075));
        refused("block: 0 tokens", () -> new ElfattSdOptions(List.of(), 0, 0, 0.3, 0.075));
        refused("agents: -1", () -> new ElfattSdOptions(List.of(), 256, -1, 0.3, 0.075));
        refused("agentScaleExponent: NaN", () -> new ElfattSdOptions(List.of(), 256, 0, Double.NaN, 0.075));
        refused("shortcut: -0.5", () -> new ElfattSdOptions(List.of(), 256, 0, 0.3, -0.5));
        assertEquals(ElfattSdOptions.defaults(), new ElfattSdOptions(List.of(), ElfattSdOptions.DEFAULT_BLOCK, 0,
                ElfattSdOptions.AGENTSD_SCALE_EXPONENT, 0.0), "the default shortcut is off");
    }
}
