package io.jedge.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.Tensor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Many concurrent requests; every answer is checked against the unbatched result. No timing assertions. */
@Timeout(600) // a hang is a failure, not a stuck build
class DynamicBatcherLoadTest {
    private static final int K = 32;
    private static final int M = 16;

    /** y = x W + b, row by row in a fixed order, so batched and unbatched results are bit-identical; id passes through. */
    static final class MatMul implements BatchFunction {
        final float[] w = new float[K * M];
        final float[] bias = new float[M];
        final Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
        final LongAdder rows = new LongAdder();
        volatile boolean recording;

        MatMul() {
            Random rnd = new Random(7);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < M; i++) {
                bias[i] = (float) rnd.nextGaussian();
            }
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> in) {
            Tensor x = in.get("x");
            Tensor id = in.get("id");
            int n = (int) x.dim(0);
            if (recording) {
                rows.add(n);
                // Counts batches a row ran in; padding repeats the last row inside one batch only.
                Set<Long> distinct = new HashSet<>();
                for (long v : id.longs()) {
                    if (distinct.add(v)) {
                        seen.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                    }
                }
            }
            float[] a = x.floats();
            float[] y = new float[n * M];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < M; j++) {
                    float s = bias[j];
                    for (int k = 0; k < K; k++) {
                        s += a[r * K + k] * w[k * M + j];
                    }
                    y[r * M + j] = s;
                }
            }
            return Map.of("y", Tensor.ofFloats(new long[] {n, M}, y), "id", id);
        }
    }

    /** Request {@code i}: rows ids {@code i*4 .. i*4+rows-1}, random features seeded by i. */
    static Map<String, Tensor> request(int i, int rows) {
        Random rnd = new Random(i);
        float[] x = new float[rows * K];
        for (int j = 0; j < x.length; j++) {
            x[j] = (float) rnd.nextGaussian();
        }
        long[] ids = new long[rows];
        for (int r = 0; r < rows; r++) {
            ids[r] = i * 4L + r;
        }
        return Map.of("x", Tensor.ofFloats(new long[] {rows, K}, x), "id", Tensor.ofLongs(new long[] {rows, 1}, ids));
    }

    private static int rowsOf(int i) {
        return i % 11 == 0 ? 3 : 1;
    }

    @Test
    void tenThousandRequestsFromSixtyFourThreadsAreAllAnsweredCorrectlyOnce() throws Exception {
        int requests = 10_000;
        int threads = 64;
        MatMul fn = new MatMul();
        fn.recording = true;
        BatcherOptions o = BatcherOptions.builder().name("load").maxBatch(16).maxDelay(Duration.ofMillis(1))
                .workers(2).queueCapacity(128).blockTimeout(Duration.ofMinutes(2)).preferredBatchSizes(1, 2, 4, 8, 16).build();
        MatMul reference = new MatMul();
        LongAdder checked = new LongAdder();
        DynamicBatcher b = DynamicBatcher.start(fn, o);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                clients.add(pool.submit(() -> {
                    ArrayDeque<Object[]> inFlight = new ArrayDeque<>();
                    for (int i = first; i < requests; i += threads) {
                        Map<String, Tensor> in = request(i, rowsOf(i));
                        inFlight.add(new Object[] {in, b.submit(in)});
                        if (inFlight.size() >= 8) {
                            check(reference, inFlight.poll(), checked);
                        }
                    }
                    while (!inFlight.isEmpty()) {
                        check(reference, inFlight.poll(), checked);
                    }
                    return null;
                }));
            }
            for (Future<?> c : clients) {
                c.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
            b.close();
        }
        assertEquals(requests, checked.sum());
        long expectedRows = 0;
        for (int i = 0; i < requests; i++) {
            int rows = rowsOf(i);
            expectedRows += rows;
            for (int r = 0; r < rows; r++) {
                AtomicInteger count = fn.seen.get(i * 4L + r);
                assertTrue(count != null && count.get() == 1, "row " + (i * 4L + r) + " ran " + count + " times");
            }
        }
        assertEquals(expectedRows, fn.rows.sum(), "rows run (none lost, none run twice)");
        BatcherStats s = b.stats();
        assertEquals(requests, s.submitted());
        assertEquals(requests, s.answered());
        assertEquals(0, s.pending());
        assertEquals(0, s.failed() + s.timedOut() + s.cancelled() + s.rejected() + s.failedOnClose());
        assertTrue(s.batchSizes().lastKey() <= 16, s.batchSizes().toString());
        System.out.println("load test: " + s.batches() + " batches, mean " + String.format("%.2f", s.meanBatchSize())
                + " rows, sizes " + s.batchSizes() + ", queue wait p50 " + s.queueWait().p50() + " p99 " + s.queueWait().p99());
    }

    @SuppressWarnings("unchecked")
    private static void check(MatMul reference, Object[] pending, LongAdder checked) throws Exception {
        Map<String, Tensor> in = (Map<String, Tensor>) pending[0];
        Map<String, Tensor> got = ((CompletableFuture<Map<String, Tensor>>) pending[1]).get(2, TimeUnit.MINUTES);
        Map<String, Tensor> want = reference.run(in);
        assertArrayEquals(want.get("y").shape(), got.get("y").shape());
        assertArrayEquals(want.get("y").floats(), got.get("y").floats());
        assertArrayEquals(in.get("id").longs(), got.get("id").longs());
        checked.increment();
    }

    @ParameterizedTest
    @EnumSource(PreferredSizePolicy.class)
    void everyRequestEndsExactlyOnceUnderCancellationsAndTimeouts(PreferredSizePolicy policy) throws Exception {
        int threads = 8;
        int perThread = 500;
        MatMul fn = new MatMul();
        fn.recording = true;
        BatcherOptions o = BatcherOptions.builder().name("chaos").maxBatch(8).maxDelay(Duration.ofMillis(1))
                .workers(3).queueCapacity(64).blockTimeout(Duration.ofMinutes(2)).preferredBatchSizes(2, 4, 8)
                .preferredSizePolicy(policy).build();
        MatMul reference = new MatMul();
        List<List<Object[]>> all = new ArrayList<>();
        DynamicBatcher b = DynamicBatcher.start(fn, o);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Object[]>>> clients = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                clients.add(pool.submit(() -> {
                    Random rnd = new Random(base);
                    List<Object[]> mine = new ArrayList<>();
                    for (int i = base; i < base + perThread; i++) {
                        Map<String, Tensor> in = request(i, 1 + rnd.nextInt(2));
                        int kind = rnd.nextInt(10);
                        CompletableFuture<Map<String, Tensor>> f =
                                b.submit(in, kind == 0 ? Duration.ofNanos(1 + rnd.nextInt(2_000_000)) : null);
                        if (kind == 1) {
                            f.cancel(true);
                        }
                        mine.add(new Object[] {in, f});
                    }
                    return mine;
                }));
            }
            for (Future<List<Object[]>> c : clients) {
                all.add(c.get(5, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
            b.close();
        }
        long answered = 0;
        long timedOut = 0;
        long cancelled = 0;
        for (List<Object[]> mine : all) {
            for (Object[] p : mine) {
                @SuppressWarnings("unchecked")
                Map<String, Tensor> in = (Map<String, Tensor>) p[0];
                @SuppressWarnings("unchecked")
                CompletableFuture<Map<String, Tensor>> f = (CompletableFuture<Map<String, Tensor>>) p[1];
                assertTrue(f.isDone(), "every future is done after close()");
                long firstId = in.get("id").longs()[0];
                try {
                    Map<String, Tensor> got = f.getNow(null);
                    assertArrayEquals(reference.run(in).get("y").floats(), got.get("y").floats());
                    assertEquals(1, fn.seen.get(firstId).get());
                    answered++;
                } catch (CancellationException e) {
                    cancelled++;
                } catch (java.util.concurrent.CompletionException e) {
                    assertTrue(e.getCause() instanceof TimeoutException, "unexpected failure " + e.getCause());
                    assertFalse(fn.seen.containsKey(firstId), "a timed-out request never runs");
                    timedOut++;
                }
            }
        }
        for (AtomicInteger count : fn.seen.values()) {
            assertTrue(count.get() <= 1, "some row ran twice");
        }
        BatcherStats s = b.stats();
        assertEquals(threads * perThread, s.submitted());
        assertEquals(answered, s.answered());
        assertEquals(timedOut, s.timedOut());
        assertEquals(cancelled, s.cancelled());
        assertEquals(0, s.pending());
        assertTrue(cancelled >= threads * perThread / 20, "about a tenth were cancelled: " + cancelled);
        assertEquals(s.batchSizes().entrySet().stream().mapToLong(e -> (long) e.getKey() * e.getValue()).sum(), fn.rows.sum(),
                "rows run, padding included");
    }
}
