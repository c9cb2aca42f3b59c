package io.jedge.runtime.backend.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.TinyModels;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Heap inputs staged through the session's one bounded pool, from many threads at once. */
class OrtHeapStagingTest {
    @TempDir
    Path dir;

    private OrtInferenceSession open() {
        return (OrtInferenceSession) new OrtBackend().open(TinyModels.copy("a", dir), SessionOptions.builder().threads(1).build());
    }

    @Test
    void manyThreadsGetTheirOwnAnswersAndIdleStagingStaysBounded() throws Exception {
        try (OrtInferenceSession s = open()) {
            StagingPool pool = s.staging();
            assertEquals(Runtime.getRuntime().availableProcessors(), pool.maxIdle(), "one input: one idle buffer per core");
            int threads = pool.maxIdle() + 8; // more callers than buffers kept
            ExecutorService exec = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(threads);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int salt = t;
                    done.add(exec.submit(() -> {
                        start.countDown();
                        start.await();
                        int calls = 0;
                        for (int i = 0; i < 20; i++) {
                            int batch = 1 + (salt + i) % 4; // sizes differ, so buffers of several size classes circulate
                            Tensor x = TinyModels.pixels(batch, 100 * salt + i);
                            float[] got = s.run(Map.of("pixels", x)).get("logits").floats();
                            // a staging buffer shared with another call would answer for that call's input
                            assertArrayEquals(TinyModels.reference(1, x), got, 1e-5f, "thread " + salt + " call " + i);
                            calls++;
                        }
                        return calls;
                    }));
                }
                for (Future<Integer> f : done) {
                    assertEquals(20, f.get(120, TimeUnit.SECONDS));
                }
            } finally {
                exec.shutdownNow();
            }
            assertTrue(pool.idleCount() >= 1 && pool.idleCount() <= pool.maxIdle(),
                    "idle buffers after " + threads + " threads: " + pool.idleCount() + ", at most " + pool.maxIdle());
        }
    }

    @Test
    void sequentialCallsReuseOneBufferAsTheBatchGrows() {
        try (OrtInferenceSession s = open()) {
            for (int batch : new int[] {4, 1, 3, 2, 4}) {
                Tensor x = TinyModels.pixels(batch, batch);
                assertArrayEquals(TinyModels.reference(1, x), s.run(Map.of("pixels", x)).get("logits").floats(), 1e-5f);
            }
            assertEquals(1, s.staging().allocations(), "batch 4 first: its buffer serves the smaller ones");
            assertEquals(1, s.staging().idleCount());
        }
    }

    @Test
    void aClosedSessionRefusesHeapCallsAndDropsItsStaging() {
        OrtInferenceSession s = open();
        Tensor x = TinyModels.pixels(2, 1);
        s.run(Map.of("pixels", x));
        assertEquals(1, s.staging().idleCount());
        s.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.run(Map.of("pixels", x)));
        assertTrue(e.getMessage().startsWith("ONNX Runtime session for ") && e.getMessage().endsWith(" is closed"),
                e.getMessage());
        assertEquals(0, s.staging().idleCount(), "closing the session closed its pool");
        assertThrows(IllegalStateException.class, () -> s.staging().borrow(64));
    }
}
