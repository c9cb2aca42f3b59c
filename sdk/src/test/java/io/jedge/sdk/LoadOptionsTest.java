package io.jedge.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.bundle.Precision;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The record's own constructor checks every value: no construction path skips the builder's checks. */
class LoadOptionsTest {
    static LoadOptions with(Goal goal, int threads, String backend, int maxBatch, Duration maxDelay, String simulate, int queueCapacity,
            Duration queueWait, Double minFidelity) {
        return new LoadOptions(goal, threads, backend, null, Precision.FP16, minFidelity, maxBatch, maxDelay, simulate, false, false,
                false, queueCapacity, queueWait);
    }

    static void refused(String expected, Runnable construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    }

    @Test
    void publicConstructorRefusesBadValuesWithOneClearMessage() {
        Duration d = Duration.ofMillis(2);
        Duration s = Duration.ofSeconds(1);
        refused("goal must be", () -> with(null, 0, "auto", 0, d, null, 8, s, null));
        refused("threads: -1, expected 0 (all cores) to 1024", () -> with(Goal.LATENCY, -1, "auto", 0, d, null, 8, s, null));
        refused("threads: 5000", () -> with(Goal.LATENCY, 5000, "auto", 0, d, null, 8, s, null));
        refused("backend 'cuda', expected auto, ort-cpu or tensorrt", () -> with(Goal.LATENCY, 0, "cuda", 0, d, null, 8, s, null));
        refused("backend 'null'", () -> with(Goal.LATENCY, 0, null, 0, d, null, 8, s, null));
        refused("maxBatch -2", () -> with(Goal.LATENCY, 0, "auto", -2, d, null, 8, s, null));
        refused("maxDelay null", () -> with(Goal.LATENCY, 0, "auto", 0, null, null, 8, s, null));
        refused("simulate 'orin'", () -> with(Goal.LATENCY, 0, "auto", 0, d, "orin", 8, s, null));
        refused("queueCapacity: 0", () -> with(Goal.LATENCY, 0, "auto", 0, d, null, 0, s, null));
        refused("queueWait PT2H", () -> with(Goal.LATENCY, 0, "auto", 0, d, null, 8, Duration.ofHours(2), null));
        refused("minFidelity 1.5", () -> with(Goal.LATENCY, 0, "auto", 0, d, null, 8, s, 1.5));
    }

    @Test
    void builderAndConstructorAgree() {
        LoadOptions built = LoadOptions.builder().threads(3).simulate("orin-nano-8gb:15W").build();
        assertEquals(built, new LoadOptions(built.goal(), 3, "auto", null, built.precisionFloor(), null, 0, built.maxDelay(),
                "orin-nano-8gb:15W", false, built.watchPower(), built.buildEngines(), built.queueCapacity(), built.queueWait()));
        assertEquals(Precision.INT8, new LoadOptions(Goal.LATENCY, 0, "auto", null, null, null, 0, Duration.ZERO, null, false, false, false,
                1, Duration.ZERO).precisionFloor(), "no floor means every precision");
        refused("threads: -4", () -> LoadOptions.builder().threads(-4).build());
    }
}
