package io.jedge.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DirectStagingTest {
    @Test
    void batchesAreStagedInTwoReusedDirectBuffersAndAnswersStayCorrect() throws Exception {
        List<ByteBuffer> bases = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch gate = new CountDownLatch(1);
        BatchFunction f = in -> {
            gate.await(30, TimeUnit.SECONDS);
            Tensor x = in.get("x");
            assertTrue(x.isDirect() || x.dim(0) == 1, "batches of several requests arrive in direct memory");
            if (x.isDirect()) {
                bases.add(x.region().base());
            }
            float[] v = x.isDirect() ? x.toFloatArray() : x.floats();
            float[] y = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                y[i] = 2 * v[i];
            }
            return Map.of("y", Tensor.ofFloats(x.shape(), y));
        };
        BatcherOptions o = BatcherOptions.builder().maxBatch(4).workers(1).directStaging(true).build();
        assertTrue(o.directStaging());
        assertFalse(BatcherOptions.builder().build().directStaging(), "off by default");
        try (DynamicBatcher b = DynamicBatcher.start(f, o)) {
            CompletableFuture<Map<String, Tensor>> first = b.submit(row(100));
            List<CompletableFuture<Map<String, Tensor>>> rest = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                rest.add(b.submit(row(i)));
            }
            gate.countDown();
            assertArrayEquals(new float[] {200, 201}, first.get(30, TimeUnit.SECONDS).get("y").floats());
            for (int i = 0; i < 8; i++) {
                Tensor y = rest.get(i).get(30, TimeUnit.SECONDS).get("y");
                assertFalse(y.isDirect(), "answers are the batch function's own outputs, split");
                assertArrayEquals(new float[] {2 * i, 2 * i + 1}, y.floats(), "request " + i);
            }
        }
        assertTrue(bases.size() >= 2, "at least two batches of several requests: " + bases.size());
        java.util.Set<ByteBuffer> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        distinct.addAll(bases);
        assertTrue(distinct.size() <= 2, "the worker's two staging buffers are reused in turn: " + distinct.size() + " buffers");
    }

    @Test
    void aFullBatchIsGatheredWhileThePreviousRunsAndAPartialOneWaits() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        BatchFunction f = in -> {
            running.countDown();
            gate.await(30, TimeUnit.SECONDS);
            float[] v = in.get("x").toFloatArray();
            return Map.of("y", Tensor.ofFloats(in.get("x").shape(), v));
        };
        BatcherOptions o = BatcherOptions.builder().maxBatch(2).maxDelay(java.time.Duration.ofMillis(1)).workers(1)
                .directStaging(true).build();
        try (DynamicBatcher b = DynamicBatcher.start(f, o)) {
            CompletableFuture<Map<String, Tensor>> first = b.submit(row(1));
            assertTrue(running.await(30, TimeUnit.SECONDS));
            // A full batch with a short deadline: taken (so it cannot time out) while the first batch runs.
            java.time.Duration shortWait = java.time.Duration.ofMillis(100);
            CompletableFuture<Map<String, Tensor>> a = b.submit(row(2), shortWait);
            CompletableFuture<Map<String, Tensor>> c = b.submit(row(3), shortWait);
            // Then a lone request: a partial batch stays queued while the lane is busy, so it times out.
            Thread.sleep(50);
            CompletableFuture<Map<String, Tensor>> lone = b.submit(row(4), shortWait);
            java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> lone.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof java.util.concurrent.TimeoutException, e.toString());
            gate.countDown();
            assertArrayEquals(new float[] {1, 1.5f}, first.get(30, TimeUnit.SECONDS).get("y").floats());
            assertArrayEquals(new float[] {2, 2.5f}, a.get(30, TimeUnit.SECONDS).get("y").floats());
            assertArrayEquals(new float[] {3, 3.5f}, c.get(30, TimeUnit.SECONDS).get("y").floats());
        }
    }

    private static Map<String, Tensor> row(int i) {
        return Map.of("x", Tensor.ofFloats(new long[] {1, 2}, new float[] {i, i + 0.5f}));
    }
}
