package io.jedge.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.TinyModels;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Figure;
import io.jedge.sdk.bundle.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app API end to end over ONNX Runtime: selection, batching and a variant swap under load. */
class RuntimeModelTest {
    @TempDir
    Path tmp;

    /** The tiny two-variant bundle, with figures that make each variant the fastest in one (simulated) power mode. */
    Bundle twoVariants() throws Exception {
        Bundle b = TinyModels.bundle(tmp.resolve("b"));
        BundleManifest m = b.manifest();
        Variant van = m.variant("fp32-vanilla").orElseThrow();
        Variant elf = m.variant("fp32-elfatt-sd").orElseThrow();
        m = m.withVariant(van.withFigure(fig("15W", 1.0)).withFigure(fig("7W", 3.0)));
        m = m.withVariant(elf.withFigure(fig("15W", 2.0)).withFigure(fig("7W", 1.5)));
        return b.update(m);
    }

    static Figure fig(String mode, double p50) {
        return new Figure("orin-nano-8gb", mode, "ort-cpu", 0, 1, p50, p50, 1000 / p50, null, null, "2026-12-01T00:00:00Z", true);
    }

    static Tensor image(int seed) {
        return TinyModels.pixels(1, seed);
    }

    @Test
    void swapsVariantOnModeChangeWithoutFailingRequests() throws Exception {
        Bundle b = twoVariants();
        DeviceContext at15 = Environment.simulate("orin-nano-8gb:15W").current();
        DeviceContext at7 = Environment.simulate("orin-nano-8gb:7W").current();
        try (RuntimeModel m = RuntimeModel.open(b, LoadOptions.builder().watchPower(false).build(), new SimulatedEnvironment(at15))) {
            assertEquals("fp32-vanilla", m.selection().variantId(), m.selection().toString());
            Map<String, Tensor> ref = m.predictor().run(Map.of("pixels", image(0)));
            AtomicBoolean stop = new AtomicBoolean();
            List<CompletableFuture<Map<String, Tensor>>> fs = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    while (!stop.get()) {
                        fs.add(m.predictor().runAsync(Map.of("pixels", image(0))));
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                th.start();
                threads.add(th);
            }
            Thread.sleep(150);
            m.reselect(at7);
            Thread.sleep(150);
            m.reselect(at15);
            Thread.sleep(100);
            stop.set(true);
            for (Thread th : threads) {
                th.join();
            }
            for (CompletableFuture<Map<String, Tensor>> f : fs) {
                assertEquals(6, f.join().get("logits").elementCount(), "every in-flight request answered");
            }
            assertTrue(fs.size() > 20, "load was applied: " + fs.size());
            List<String> ids = m.selectionHistory().stream().map(s -> s.variantId()).toList();
            assertEquals(List.of("fp32-vanilla", "fp32-elfatt-sd", "fp32-vanilla"), ids);
            assertTrue(m.selectionHistory().get(1).reason().contains("7W"), m.selectionHistory().get(1).reason());
            assertArrayEquals(ref.get("logits").floats(), m.predictor().run(Map.of("pixels", image(0))).get("logits").floats(), 1e-6f);
        }
    }

    @Test
    void floodedQueueFailsFuturesWithUnavailableAndNeverThrows() throws Exception {
        Bundle b = twoVariants();
        DeviceContext at15 = Environment.simulate("orin-nano-8gb:15W").current();
        LoadOptions o = LoadOptions.builder().watchPower(false).maxBatch(1).queueCapacity(1).threads(1)
                .queueWait(java.time.Duration.ZERO).build();
        List<CompletableFuture<Map<String, Tensor>>> fs = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RuntimeModel m = RuntimeModel.open(b, o, new SimulatedEnvironment(at15))) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 100; i++) {
                        try {
                            fs.add(m.predictor().runAsync(Map.of("pixels", image(0))));
                        } catch (Throwable x) {
                            thrown.add(x);
                        }
                    }
                });
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join();
            }
            assertEquals(List.of(), thrown, "runAsync never throws for overload");
            int ok = 0;
            int unavailable = 0;
            for (CompletableFuture<Map<String, Tensor>> f : fs) {
                try {
                    assertEquals(Set.of("logits"), f.get(30, java.util.concurrent.TimeUnit.SECONDS).keySet());
                    ok++;
                } catch (java.util.concurrent.ExecutionException e) {
                    JedgeException j = assertInstanceOf(JedgeException.class, e.getCause(), String.valueOf(e.getCause()));
                    assertEquals(JedgeException.Code.UNAVAILABLE, j.code());
                    assertTrue(j.getMessage().contains("queueCapacity"), j.getMessage());
                    unavailable++;
                }
            }
            assertEquals(fs.size(), ok + unavailable, "every future answered");
            assertTrue(ok > 0, "some requests ran");
            assertTrue(unavailable > 0, "a queue of one under four flooding threads rejected some");
        }
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.builder().queueCapacity(0).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadOptions.builder().threads(10000).build());
        assertTrue(e.getMessage().contains("threads: 10000"), e.getMessage());
    }

    @Test
    void autotuneMeasuresWhenNothingWasMeasuredHere() throws Exception {
        Bundle b = twoVariants(); // its figures are for a simulated Orin, not for this host
        DeviceContext host = Environment.live().current();
        try (RuntimeModel plain = RuntimeModel.open(b, LoadOptions.builder().watchPower(false).build(), new SimulatedEnvironment(host))) {
            assertEquals("prior", plain.selection().source());
        }
        try (RuntimeModel tuned = RuntimeModel.open(b, LoadOptions.builder().watchPower(false).autotune(true).build(),
                new SimulatedEnvironment(host))) {
            assertEquals("autotune", tuned.selection().source(), tuned.selection().toString());
            assertTrue(tuned.selection().reason().contains("measured on " + host.describe()), tuned.selection().reason());
        }
    }

    @Test
    void appApiValidatesInputsAndCloses() throws Exception {
        Bundle b = twoVariants();
        JedgeModel m = Jedge.load(b.dir(), LoadOptions.builder().watchPower(false).threads(1).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.predictor().run(Map.of("pixels", Tensor.zeros(1, 3, 7, 8))));
        assertTrue(e.getMessage().contains("input 'pixels'") && e.getMessage().contains("expected"), e.getMessage());
        // the element type is judged by the backends' one rule, and the refusal says what the input takes
        Tensor ints = Tensor.allocateDirect(io.jedge.sdk.DataType.INT64, 1, 3, 8, 8);
        String type = assertThrows(IllegalArgumentException.class, () -> m.predictor().run(Map.of("pixels", ints))).getMessage();
        assertTrue(type.startsWith("input 'pixels': int64[1,3,8,8] (direct), expected float32") && type.endsWith(
                "(float32 inputs take float32 tensors)"), type);
        assertThrows(IllegalArgumentException.class, () -> m.predictor().run(Map.of("image", image(1))));
        // concurrent requests go through the batcher and match one-by-one answers
        List<CompletableFuture<Map<String, Tensor>>> fs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            fs.add(m.predictor().runAsync(Map.of("pixels", image(i))));
        }
        for (int i = 0; i < 16; i++) {
            assertArrayEquals(m.predictor().run(Map.of("pixels", image(i))).get("logits").floats(),
                    fs.get(i).join().get("logits").floats(), 1e-5f);
        }
        // a request larger than the batcher's batch runs in parts and comes back whole, in order
        List<Tensor> rows = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            rows.add(image(i));
        }
        Tensor big = m.predictor().run(Map.of("pixels", Tensor.concatBatch(rows))).get("logits");
        assertEquals(21, big.dim(0));
        assertArrayEquals(fs.get(13).join().get("logits").floats(), big.sliceBatch(13, 14).floats(), 1e-5f);
        // non-finite inputs are refused with their count, not answered with garbage
        float[] bad = image(2).floats();
        bad[3] = Float.NaN;
        bad[9] = Float.NEGATIVE_INFINITY;
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> m.predictor().run(Map.of("pixels", Tensor.ofFloats(new long[] {1, 3, 8, 8}, bad))));
        assertTrue(nan.getMessage().contains("holds 2 NaN or infinite value(s)"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.predictor().runAsync(Map.of("pixels",
                Tensor.ofFloats(new long[] {1, 3, 32, 32}, bad))), "runAsync refuses bad input at once, as documented");
        m.close();
        m.close();
        assertThrows(Exception.class, () -> m.predictor().run(Map.of("pixels", image(1))));
    }
}
