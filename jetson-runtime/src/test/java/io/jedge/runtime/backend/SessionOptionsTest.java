package io.jedge.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SessionOptionsTest {
    @Test
    void publicConstructorRefusesBadValues() {
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class,
                () -> new SessionOptions(-1, SessionOptions.Optimization.ALL, false));
        assertEquals("threads: -1, expected 0 (automatic) or more", threads.getMessage());
        IllegalArgumentException opt = assertThrows(IllegalArgumentException.class, () -> new SessionOptions(2, null, false));
        assertTrue(opt.getMessage().contains("optimization"), opt.getMessage());
        assertEquals(new SessionOptions(2, SessionOptions.Optimization.ALL, false), SessionOptions.builder().threads(2).build());
    }
}
