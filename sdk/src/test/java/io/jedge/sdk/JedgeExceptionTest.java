package io.jedge.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JedgeExceptionTest {
    @Test
    void inputMistakesExitTwoEverythingElseOne() {
        for (JedgeException.Code c : JedgeException.Code.values()) {
            assertEquals(c == JedgeException.Code.INVALID_INPUT || c == JedgeException.Code.ACCURACY_TARGET_MISSED ? 2 : 1, c.exitCode(), c.name());
        }
    }
}
