package io.jedge.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link InferenceSession} keeps, run against each backend present (a subclass
 * per backend; one whose natives are missing skips with the reason). The model is the tiny
 * fixture of {@link TinyModels}, checked against its plain-Java reference.
 */
public abstract class InferenceSessionConformance {
    @TempDir
    protected Path tmp;

    /** Opens {@code onnx} (or what this backend makes of it) on the backend under test. */
    protected abstract InferenceSession open(Path onnx) throws Exception;

    /** Largest absolute difference from the FP32 reference this backend may show. */
    protected float tolerance() {
        return 1e-5f;
    }

    private InferenceSession openA() throws Exception {
        return open(TinyModels.copy("a", tmp));
    }

    @Test
    void runsAndMatchesTheReference() throws Exception {
        try (InferenceSession s = openA()) {
            assertEquals(List.of("pixels"), s.inputs().stream().map(t -> t.name()).toList());
            assertEquals(List.of("logits"), s.outputs().stream().map(t -> t.name()).toList());
            assertNotNull(s.backendName());
            Tensor x = TinyModels.pixels(1, 0);
            Tensor y = s.run(Map.of("pixels", x)).get("logits");
            assertArrayEquals(new long[] {1, TinyModels.CLASSES}, y.shape());
            assertArrayEquals(TinyModels.reference(1, x), y.floats(), tolerance());
            assertEquals(Set.of("logits"), s.run(Map.of("pixels", x), Set.of("logits")).keySet());
        }
    }

    @Test
    void runsABatchAsItsRows() throws Exception {
        try (InferenceSession s = openA()) {
            Tensor batch = TinyModels.pixels(4, 3);
            Tensor y = s.run(Map.of("pixels", batch)).get("logits");
            assertArrayEquals(new long[] {4, TinyModels.CLASSES}, y.shape());
            assertArrayEquals(TinyModels.reference(1, batch), y.floats(), tolerance());
            Tensor row2 = s.run(Map.of("pixels", batch.sliceBatch(2, 3))).get("logits");
            assertArrayEquals(y.sliceBatch(2, 3).floats(), row2.floats(), tolerance());
        }
    }

    @Test
    void refusesWrongShapeTypeAndNamesWithOneClearMessage() throws Exception {
        try (InferenceSession s = openA()) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> s.run(Map.of("pixels", Tensor.zeros(1, 3, 8, 9))));
            assertTrue(shape.getMessage().contains("'pixels'") && shape.getMessage().contains("expected"), shape.getMessage());
            IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                    () -> s.run(Map.of("pixels", Tensor.ofLongs(new long[] {1, 3, 8, 8}, new long[TinyModels.FEATURES]))));
            assertTrue(type.getMessage().contains("'pixels'"), type.getMessage());
            IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                    () -> s.run(Map.of("image", TinyModels.pixels(1, 0))));
            assertTrue(name.getMessage().contains("'image'") || name.getMessage().contains("'pixels'"), name.getMessage());
            // still usable after refusals
            assertEquals(TinyModels.CLASSES, s.run(Map.of("pixels", TinyModels.pixels(1, 0))).get("logits").elementCount());
        }
    }

    /**
     * A model with float16 IO (converted to FP16 with its IO kept FP16): float32 feeds, heap or direct, are converted;
     * run() returns the float16 output as float32; runInto writes it into a float16 tensor and refuses a float32 one,
     * with the same line on every backend.
     */
    @Test
    void float16ModelTakesFloat32FeedsAndGivesFloat32FromRun() throws Exception {
        int rows = 3;
        float[] x = TinyModels.fp16Input(rows + 1);
        float[] want = TinyModels.fp16Reference(x);
        float[] wantRows = java.util.Arrays.copyOfRange(want, TinyModels.FP16_OUT, want.length);
        Tensor heap = Tensor.ofFloats(new long[] {rows + 1, TinyModels.FP16_IN}, x).sliceBatch(1, rows + 1);
        Tensor direct = Tensor.ofFloats(new long[] {rows + 1, TinyModels.FP16_IN}, x).toDirect().viewBatch(1, rows + 1);
        try (InferenceSession s = open(TinyModels.copy("fp16", tmp))) {
            assertEquals("float16", s.inputs().get(0).dataType());
            assertEquals("float16", s.outputs().get(0).dataType());
            for (Tensor feed : List.of(heap, direct)) {
                Tensor y = s.run(Map.of("x", feed)).get("y");
                assertEquals(io.jedge.sdk.DataType.FLOAT32, y.type());
                assertArrayEquals(new long[] {rows, TinyModels.FP16_OUT}, y.shape());
                assertArrayEquals(wantRows, y.floats(), TinyModels.FP16_TOLERANCE, feed.isDirect() ? "direct feed" : "heap feed");

                Tensor into = s.allocate(io.jedge.sdk.DataType.FLOAT16, rows, TinyModels.FP16_OUT);
                s.runInto(Map.of("x", feed), Map.of("y", into));
                for (int i = 0; i < wantRows.length; i++) {
                    assertEquals(wantRows[i], Float16.toFloat(into.buffer().getShort(i * 2)), TinyModels.FP16_TOLERANCE,
                            "runInto element " + i);
                }
                s.release(into);
            }
            assertEquals(x[TinyModels.FP16_IN], direct.buffer().getFloat(0), "the caller's tensor is read, never written");
            Tensor wide = s.allocate(io.jedge.sdk.DataType.FLOAT32, rows, TinyModels.FP16_OUT);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.runInto(Map.of("x", heap), Map.of("y", wide)));
            assertEquals("output 'y': float32[3,4] (direct), expected float16[N,4] (runInto writes each output in the model's own"
                    + " element type; run() returns float16 outputs as float32)", e.getMessage());
            s.release(wide);
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsRefused() throws Exception {
        InferenceSession s = openA();
        s.close();
        s.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.run(Map.of("pixels", TinyModels.pixels(1, 0))));
        assertTrue(e.getMessage() != null && e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void closeUnderLoadLetsEveryCallFinishOrFailClearly() throws Exception {
        InferenceSession s = openA();
        Tensor x = TinyModels.pixels(2, 5);
        float[] expected = TinyModels.reference(1, x);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(threads);
        List<Future<String>> workers = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    running.countDown();
                    while (!stop.get()) {
                        try {
                            float[] got = s.run(Map.of("pixels", x)).get("logits").floats();
                            assertArrayEquals(expected, got, tolerance(), "a call that finishes answers correctly");
                            answered.incrementAndGet();
                        } catch (IllegalStateException closed) {
                            return closed.getMessage();
                        }
                    }
                    return "stopped";
                }));
            }
            assertTrue(running.await(30, TimeUnit.SECONDS));
            while (answered.get() < 8) {
                Thread.sleep(1);
            }
            s.close();
            stop.set(true);
            for (Future<String> w : workers) {
                String end = w.get(60, TimeUnit.SECONDS); // no hang; a wrong answer or another exception fails here
                assertTrue(end.equals("stopped") || end.contains("closed"), "calls after close fail with a clear message: " + end);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            s.close();
        }
        assertTrue(answered.get() >= 8, "load was applied: " + answered.get());
    }
}
