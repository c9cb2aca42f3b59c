package io.jedge.runtime.backend.trt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrtSessionOptionsTest {
    @Test
    void defaultsAndValidation() {
        TrtSessionOptions d = TrtSessionOptions.defaults();
        assertEquals(2, d.maxContexts());
        assertEquals(0, d.device());
        assertFalse(d.strictDeviceMatch());
        assertTrue(TrtSessionOptions.builder().maxContexts(64).strictDeviceMatch(true).build().strictDeviceMatch());
        String m = assertThrows(IllegalArgumentException.class, () -> TrtSessionOptions.builder().maxContexts(0).build())
                .getMessage();
        assertEquals("maxContexts: 0, expected 1..64", m);
        assertThrows(IllegalArgumentException.class, () -> TrtSessionOptions.builder().maxContexts(65).build());
        String dev = assertThrows(IllegalArgumentException.class, () -> TrtSessionOptions.builder().device(-1).build())
                .getMessage();
        assertTrue(dev.startsWith("device: -1"), dev);
    }

    @Test
    void publicConstructorChecksAsBuildDoes() {
        assertEquals("maxContexts: 65, expected 1..64",
                assertThrows(IllegalArgumentException.class, () -> new TrtSessionOptions(65, 0, false, false)).getMessage());
        assertEquals("device: -2, expected a CUDA device index of 0 or more",
                assertThrows(IllegalArgumentException.class, () -> new TrtSessionOptions(1, -2, false, false)).getMessage());
    }
}
