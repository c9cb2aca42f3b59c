package io.jedge.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
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
    void batchesAreStagedInOneReusedDirectBufferAndAnswersStayCorrect() throws Exception {
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
        for (ByteBuffer base : bases) {
            assertSame(bases.get(0), base, "the worker's staging buffer is reused");
        }
    }

    private static Map<String, Tensor> row(int i) {
        return Map.of("x", Tensor.ofFloats(new long[] {1, 2}, new float[] {i, i + 0.5f}));
    }
}
