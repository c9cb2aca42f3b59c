package io.jedge.runtime.backend.trt.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrtBuildOptionsTest {
    @TempDir
    Path dir;

    private static String rejected(TrtBuildOptions.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void defaults() {
        TrtBuildOptions o = TrtBuildOptions.defaults();
        assertEquals("1:1:1", o.batchSpec());
        assertEquals(1024, o.workspaceMiB());
        assertTrue(o.tf32());
        assertEquals(3, o.optimizationLevel());
        assertNull(o.timingCache());
    }

    @Test
    void parsesBatchSpecs() {
        assertEquals("1:8:32", TrtBuildOptions.builder().batch("1:8:32").build().batchSpec());
        assertEquals("4:4:4", TrtBuildOptions.builder().batch(" 4 ").build().batchSpec());
        String m = assertThrows(IllegalArgumentException.class, () -> TrtBuildOptions.builder().batch("1-8-32")).getMessage();
        assertEquals("batch: '1-8-32', expected MIN:OPT:MAX such as 1:8:32", m);
        assertThrows(IllegalArgumentException.class, () -> TrtBuildOptions.builder().batch("1:x:3"));
        assertThrows(IllegalArgumentException.class, () -> TrtBuildOptions.builder().batch("1:2"));
    }

    @Test
    void validatesInBuild() {
        assertEquals("batch: 8:4:32, expected 1 <= MIN <= OPT <= MAX", rejected(TrtBuildOptions.builder().batch(8, 4, 32)));
        assertEquals("batch: 0:1:1, expected 1 <= MIN <= OPT <= MAX", rejected(TrtBuildOptions.builder().batch(0, 1, 1)));
        assertTrue(rejected(TrtBuildOptions.builder().batch(1, 8, 4)).startsWith("batch: 1:8:4"));
        assertTrue(rejected(TrtBuildOptions.builder().workspaceMiB(0)).startsWith("workspaceMiB: 0, expected 1.."));
        assertEquals("optimizationLevel: 6, expected 0..5", rejected(TrtBuildOptions.builder().optimizationLevel(6)));
        assertTrue(rejected(TrtBuildOptions.builder().device(-1)).startsWith("device: -1"));
        assertTrue(rejected(TrtBuildOptions.builder().progressInterval(Duration.ZERO)).startsWith("progressInterval: PT0S"));
        assertTrue(rejected(TrtBuildOptions.builder().timingCache(dir)).contains("is a directory"));
    }

    @Test
    void publicConstructorChecksAsBuildDoes() {
        Duration d = Duration.ofSeconds(30);
        String m = assertThrows(IllegalArgumentException.class,
                () -> new TrtBuildOptions(8, 4, 32, 1024, null, true, 3, 0, null, null, d, false)).getMessage();
        assertEquals("batch: 8:4:32, expected 1 <= MIN <= OPT <= MAX", m);
        assertEquals("optimizationLevel: 9, expected 0..5", assertThrows(IllegalArgumentException.class,
                () -> new TrtBuildOptions(1, 1, 1, 1024, null, true, 9, 0, null, null, d, false)).getMessage());
        assertEquals("progressInterval: null, expected a positive duration", assertThrows(IllegalArgumentException.class,
                () -> new TrtBuildOptions(1, 1, 1, 1024, null, true, 3, 0, null, null, null, false)).getMessage());
        assertNull(new TrtBuildOptions(1, 1, 1, 1024, null, true, 3, 0, " ", null, d, false).l4t(), "blank L4T is unknown here too");
    }

    @Test
    void fingerprintOptions() {
        TrtBuildOptions o = TrtBuildOptions.builder().batch("1:8:32").workspaceMiB(2048).tf32(false).l4t(" ").jetpack("6.2").build();
        Map<String, String> m = o.asFingerprintOptions();
        assertEquals("1:8:32", m.get("batch"));
        assertEquals("2048", m.get("workspaceMiB"));
        assertEquals("false", m.get("tf32"));
        assertEquals("strong", m.get("typing"));
        assertNull(o.l4t(), "blank L4T is recorded as unknown");
        assertEquals("6.2", o.jetpack());
    }
}
