package io.jedge.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120) // a hang is a failure, not a stuck build
class DynamicBatcherTest {
    private static final Duration FOREVER = Duration.ofDays(1);

    private static BatcherOptions.Builder options() {
        return BatcherOptions.builder().name("test").maxBatch(4).maxDelay(Duration.ZERO);
    }

    private static Map<String, Tensor> get(CompletableFuture<Map<String, Tensor>> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static void assertAnswers(Map<String, Tensor> request, Map<String, Tensor> answer) {
        Map<String, Tensor> expected = RowFunction.compute(request.get("x"));
        assertEquals(expected.keySet(), answer.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).shape(), answer.get(k).shape(), k);
            assertArrayEquals(expected.get(k).floats(), answer.get(k).floats(), k);
        }
    }

    /** Submits request 0, waits until the gated function holds it, so later requests queue up. */
    private static CompletableFuture<Map<String, Tensor>> occupyWorker(DynamicBatcher b, RowFunction f)
            throws InterruptedException {
        CompletableFuture<Map<String, Tensor>> first = b.submit(RowFunction.request(0));
        f.awaitEntered();
        return first;
    }

    private static void awaitBlocked(Thread t) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > end) {
                throw new AssertionError("thread " + t.getName() + " never blocked; state " + t.getState());
            }
            Thread.sleep(1);
        }
    }

    private static void assertAccounted(BatcherStats s) {
        assertEquals(0, s.pending(), "pending requests in " + s);
        assertEquals(s.submitted(), s.answered() + s.failed() + s.timedOut() + s.cancelled() + s.failedOnClose(),
                "every request ends exactly once: " + s);
        assertEquals(s.batches(), s.batchSizes().values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void splitAnswersBelongToTheirRequestsAndKeepArrivalOrder() throws Exception {
        RowFunction f = new RowFunction(true);
        List<Map<String, Tensor>> requests = new ArrayList<>();
        List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
        try (DynamicBatcher b = DynamicBatcher.start(f, options().build())) {
            CompletableFuture<Map<String, Tensor>> first = occupyWorker(b, f);
            for (int i = 1; i <= 10; i++) {
                Map<String, Tensor> r = RowFunction.request(i);
                requests.add(r);
                futures.add(b.submit(r));
            }
            f.release();
            assertAnswers(RowFunction.request(0), get(first));
            for (int i = 0; i < requests.size(); i++) {
                assertAnswers(requests.get(i), get(futures.get(i)));
            }
            assertEquals(List.of(1, 4, 4, 2), f.batchSizes());
            List<Float> expectedIds = new ArrayList<>();
            for (int i = 0; i <= 10; i++) {
                expectedIds.add((float) i);
            }
            assertEquals(expectedIds, f.ids());
        }
    }

    @Test
    void requestsOfSeveralRowsAreSplitBackBySize() throws Exception {
        RowFunction f = new RowFunction(true);
        try (DynamicBatcher b = DynamicBatcher.start(f, options().maxBatch(6).build())) {
            CompletableFuture<Map<String, Tensor>> first = occupyWorker(b, f);
            Map<String, Tensor> r1 = RowFunction.request(10, 3, 2);
            Map<String, Tensor> r2 = RowFunction.request(20, 1, 2);
            Map<String, Tensor> r3 = RowFunction.request(30, 2, 2);
            Map<String, Tensor> r4 = RowFunction.request(40, 2, 2);
            var f1 = b.submit(r1);
            var f2 = b.submit(r2);
            var f3 = b.submit(r3);
            var f4 = b.submit(r4);
            f.release();
            get(first);
            assertAnswers(r1, get(f1));
            assertAnswers(r2, get(f2));
            assertAnswers(r3, get(f3));
            assertAnswers(r4, get(f4));
            assertEquals(3, get(f1).get("sum").dim(0));
            // 3 + 1 + 2 fill maxBatch 6; r4 does not fit and runs next.
            assertEquals(List.of(1, 6, 2), f.batchSizes());
        }
    }

    @Test
    void requestsWithOtherShapesStartTheirOwnBatch() throws Exception {
        RowFunction f = new RowFunction(true);
        try (DynamicBatcher b = DynamicBatcher.start(f, options().build())) {
            CompletableFuture<Map<String, Tensor>> first = occupyWorker(b, f);
            Map<String, Tensor> a = RowFunction.request(1, 1, 2);
            Map<String, Tensor> c = RowFunction.request(2, 1, 2);
            Map<String, Tensor> wide = RowFunction.request(3, 1, 3);
            Map<String, Tensor> d = RowFunction.request(4, 1, 3);
            var fa = b.submit(a);
            var fc = b.submit(c);
            var fw = b.submit(wide);
            var fd = b.submit(d);
            f.release();
            get(first);
            assertAnswers(a, get(fa));
            assertAnswers(c, get(fc));
            assertAnswers(wide, get(fw));
            assertAnswers(d, get(fd));
            assertEquals(List.of(1, 2, 2), f.batchSizes());
        }
    }

    @Test
    void maxDelayRunsAPartialBatch() throws Exception {
        RowFunction f = new RowFunction(false);
        try (DynamicBatcher b = DynamicBatcher.start(f, options().maxBatch(8).maxDelay(Duration.ofMillis(5)).build())) {
            Map<String, Tensor> r = RowFunction.request(7);
            assertAnswers(r, get(b.submit(r)));
            assertEquals(List.of(1), f.batchSizes());
        }
    }

    @Test
    void batchWaitsForMaxDelayUnlessMaxBatchIsReached() throws Exception {
        RowFunction f = new RowFunction(false);
        try (DynamicBatcher b = DynamicBatcher.start(f, options().maxBatch(4).maxDelay(FOREVER).build())) {
            List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                futures.add(b.submit(RowFunction.request(i)));
            }
            Thread.sleep(100);
            assertTrue(futures.stream().noneMatch(CompletableFuture::isDone), "3 of 4 rows must keep waiting");
            assertEquals(List.of(), f.batchSizes());
            futures.add(b.submit(RowFunction.request(3)));
            for (int i = 0; i < 4; i++) {
                assertAnswers(RowFunction.request(i), get(futures.get(i)));
            }
            assertEquals(List.of(4), f.batchSizes());
        }
    }

    @Test
    void preferredSizesSplitSixIntoFourThenTwo() throws Exception {
        RowFunction f = new RowFunction(true);
        BatcherOptions o = options().maxBatch(8).preferredBatchSizes(8, 4, 2, 1).build();
        try (DynamicBatcher b = DynamicBatcher.start(f, o)) {
            var first = occupyWorker(b, f);
            List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
            for (int i = 1; i <= 13; i++) {
                futures.add(b.submit(RowFunction.request(i)));
            }
            f.release();
            get(first);
            for (int i = 0; i < futures.size(); i++) {
                assertAnswers(RowFunction.request(i + 1), get(futures.get(i)));
            }
            // 13 queued: 8, then 5 -> 4 + 1.
            assertEquals(List.of(1, 8, 4, 1), f.batchSizes());
            assertEquals(0, b.stats().paddedRows());
        }
    }

    @Test
    void requestLargerThanThePreferredTargetStillRuns() throws Exception {
        RowFunction f = new RowFunction(true);
        BatcherOptions o = options().maxBatch(4).preferredBatchSizes(1, 2, 4).build();
        try (DynamicBatcher b = DynamicBatcher.start(f, o)) {
            var first = occupyWorker(b, f);
            Map<String, Tensor> three = RowFunction.request(10, 3, 2);
            var f3 = b.submit(three);
            var f1 = b.submit(RowFunction.request(20, 1, 2));
            var f2 = b.submit(RowFunction.request(30, 2, 2));
            f.release();
            get(first);
            assertAnswers(three, get(f3));
            get(f1);
            get(f2);
            // 3 + 1 fill 4; then the 2-row request.
            assertEquals(List.of(1, 4, 2), f.batchSizes());
        }
        RowFunction g = new RowFunction(true);
        try (DynamicBatcher b = DynamicBatcher.start(g, o)) {
            var first = occupyWorker(b, g);
            Map<String, Tensor> three = RowFunction.request(10, 3, 2);
            var f3 = b.submit(three);
            var f2 = b.submit(RowFunction.request(30, 2, 2));
            g.release();
            get(first);
            // 3 alone: the largest preferred size it fills is 2, but the head always runs.
            assertAnswers(three, get(f3));
            get(f2);
            assertEquals(List.of(1, 3, 2), g.batchSizes());
        }
    }

    @Test
    void preferredSizesPadWithCopiesOfTheLastRow() throws Exception {
        RowFunction f = new RowFunction(true);
        BatcherOptions o = options().maxBatch(8).preferredBatchSizes(1, 2, 4, 8)
                .preferredSizePolicy(PreferredSizePolicy.PAD).build();
        try (DynamicBatcher b = DynamicBatcher.start(f, o)) {
            var first = occupyWorker(b, f);
            List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                futures.add(b.submit(RowFunction.request(i)));
            }
            f.release();
            get(first);
            for (int i = 0; i < futures.size(); i++) {
                Map<String, Tensor> answer = get(futures.get(i));
                assertAnswers(RowFunction.request(i + 1), answer);
                assertEquals(1, answer.get("y").dim(0));
            }
            assertEquals(List.of(1, 8), f.batchSizes());
            float[] padded = f.batchInputs().get(1);
            float[] lastRow = RowFunction.request(6).get("x").floats();
            for (int row = 5; row < 8; row++) {
                assertArrayEquals(lastRow, java.util.Arrays.copyOfRange(padded, row * 2, row * 2 + 2), "row " + row);
            }
            BatcherStats s = b.stats();
            assertEquals(2, s.paddedRows());
            assertEquals(Map.of(1, 1L, 8, 1L), s.batchSizes());
        }
    }

    @Test
    void rejectsImmediatelyWhenFullUnderReject() throws Exception {
        RowFunction f = new RowFunction(true);
        BatcherOptions o = options().queueCapacity(2).whenFull(FullQueuePolicy.REJECT).build();
        try (DynamicBatcher b = DynamicBatcher.start(f, o)) {
            var first = occupyWorker(b, f);
            var a = b.submit(RowFunction.request(1));
            var c = b.submit(RowFunction.request(2));
            QueueFullException e = assertThrows(QueueFullException.class, () -> b.submit(RowFunction.request(3)));
            assertEquals(2, e.capacity());
            assertTrue(e.getMessage().contains("capacity 2"), e.getMessage());
            assertTrue(e.getMessage().contains("'test'"), e.getMessage());
            assertInstanceOf(RejectedExecutionException.class, e);
            f.release();
            get(first);
            assertAnswers(RowFunction.request(1), get(a));
            assertAnswers(RowFunction.request(2), get(c));
            assertFalse(f.ids().contains(3f));
            assertEquals(1, b.stats().rejected());
            assertEquals(3, b.stats().submitted());
        }
    }

    @Test
    void blocksSubmitterUntilSpaceFreesUp() throws Exception {
        RowFunction f = new RowFunction(true);
        BatcherOptions o = options().queueCapacity(1).whenFull(FullQueuePolicy.BLOCK).blockTimeout(Duration.ofMinutes(1)).build();
        try (DynamicBatcher b = DynamicBatcher.start(f, o)) {
            var first = occupyWorker(b, f);
            var a = b.submit(RowFunction.request(1));
            AtomicReference<CompletableFuture<Map<String, Tensor>>> blocked = new AtomicReference<>();
            Thread t = new Thread(() -> blocked.set(b.submit(RowFunction.request(2))), "blocked-submitter");
            t.start();
            awaitBlocked(t);
            assertSame(null, blocked.get(), "submit must not return while the queue is full");
            f.release();
            t.join(30_000);
            assertFalse(t.isAlive());
            get(first);
            assertAnswers(RowFunction.request(1), get(a));
            assertAnswers(RowFunction.request(2), get(blocked.get()));
            assertEquals(0, b.stats().rejected());
        }
    }

    @Test
    void blockedSubmitterGivesUpAfterBlockTimeout() throws Exception {
        RowFunction f = new RowFunction(true);
        BatcherOptions o = options().queueCapacity(1).blockTimeout(Duration.ofMillis(20)).build();
        try (DynamicBatcher b = DynamicBatcher.start(f, o)) {
            var first = occupyWorker(b, f);
            var a = b.submit(RowFunction.request(1));
            QueueFullException e = assertThrows(QueueFullException.class, () -> b.submit(RowFunction.request(2)));
            assertTrue(e.getMessage().contains("stayed full (capacity 1 requests)"), e.getMessage());
            f.release();
            get(first);
            get(a);
            assertEquals(1, b.stats().rejected());
        }
    }

    @Test
    void requestNotStartedBeforeItsDeadlineTimesOut() throws Exception {
        RowFunction f = new RowFunction(true);
        try (DynamicBatcher b = DynamicBatcher.start(f, options().build())) {
            var first = occupyWorker(b, f);
            var late = b.submit(RowFunction.request(1), Duration.ofMillis(20));
            var patient = b.submit(RowFunction.request(2), FOREVER);
            Throwable cause = failure(late); // completes while the worker is still held
            assertInstanceOf(TimeoutException.class, cause);
            assertTrue(cause.getMessage().contains("did not start within its timeout"), cause.getMessage());
            f.release();
            get(first);
            assertAnswers(RowFunction.request(2), get(patient));
            assertFalse(f.ids().contains(1f), "a timed-out request must never run");
            assertEquals(1, b.stats().timedOut());
        }
    }

    @Test
    void defaultTimeoutAppliesToPlainSubmit() throws Exception {
        RowFunction f = new RowFunction(true);
        try (DynamicBatcher b = DynamicBatcher.start(f, options().defaultTimeout(Duration.ofMillis(10)).build())) {
            var first = b.submit(RowFunction.request(0), FOREVER);
            f.awaitEntered();
            var late = b.submit(RowFunction.request(1));
            assertInstanceOf(TimeoutException.class, failure(late));
            f.release();
            get(first);
        }
    }

    @Test
    void cancelledRequestsAreSkipped() throws Exception {
        RowFunction f = new RowFunction(true);
        try (DynamicBatcher b = DynamicBatcher.start(f, options().build())) {
            var first = occupyWorker(b, f);
            var a = b.submit(RowFunction.request(1));
            var c = b.submit(RowFunction.request(2));
            var d = b.submit(RowFunction.request(3));
            assertTrue(c.cancel(true));
            f.release();
            get(first);
            assertAnswers(RowFunction.request(1), get(a));
            assertAnswers(RowFunction.request(3), get(d));
            assertTrue(c.isCancelled());
            assertEquals(List.of(0f, 1f, 3f), f.ids());
            assertEquals(List.of(1, 2), f.batchSizes());
            assertEquals(1, b.stats().cancelled());
        }
    }

    @Test
    void failingBatchFailsAllItsRequestsAndTheBatcherKeepsServing() throws Exception {
        RowFunction f = new RowFunction(true);
        f.failOn(99);
        try (DynamicBatcher b = DynamicBatcher.start(f, options().build())) {
            var first = occupyWorker(b, f);
            List<CompletableFuture<Map<String, Tensor>>> doomed = List.of(
                    b.submit(RowFunction.request(1)), b.submit(RowFunction.request(99)), b.submit(RowFunction.request(2)));
            f.release();
            get(first);
            for (var d : doomed) {
                Throwable cause = failure(d);
                BatchFailedException e = assertInstanceOf(BatchFailedException.class, cause);
                assertEquals(3, e.batchRows());
                assertInstanceOf(IllegalStateException.class, e.getCause());
                assertEquals("row with id 99.0 is poison", e.getCause().getMessage());
                assertTrue(e.getMessage().contains("batcher 'test'"), e.getMessage());
            }
            assertAnswers(RowFunction.request(5), get(b.submit(RowFunction.request(5))));
            BatcherStats s = b.stats();
            assertEquals(3, s.failed());
            assertEquals(2, s.answered());
        }
    }

    @Test
    void outputsWithTheWrongBatchFailTheBatch() throws Exception {
        BatchFunction broken = in -> Map.of("y", Tensor.zeros(1, 3));
        try (DynamicBatcher b = DynamicBatcher.start(broken, options().maxDelay(FOREVER).maxBatch(2).build())) {
            var a = b.submit(RowFunction.request(1));
            var c = b.submit(RowFunction.request(2));
            for (var fut : List.of(a, c)) {
                BatchFailedException e = assertInstanceOf(BatchFailedException.class, failure(fut));
                assertTrue(e.getCause().getMessage().contains("output 'y' with shape [1, 3], expected batch 2"),
                        e.getCause().getMessage());
            }
        }
    }

    @Test
    void closeDrainsQueuedRequests() throws Exception {
        RowFunction f = new RowFunction(true);
        AtomicInteger completions = new AtomicInteger();
        DynamicBatcher b = DynamicBatcher.start(f, options().maxDelay(FOREVER).build());
        var first = b.submit(RowFunction.request(100, 4, 2)); // a full batch runs without waiting
        f.awaitEntered();
        List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            var fut = b.submit(RowFunction.request(i));
            fut.whenComplete((v, e) -> completions.incrementAndGet());
            futures.add(fut);
        }
        b.shutdown();
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> b.submit(RowFunction.request(9)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        f.release();
        b.close();
        assertTrue(first.isDone());
        for (int i = 0; i < futures.size(); i++) {
            assertTrue(futures.get(i).isDone(), "request " + (i + 1) + " answered by close()");
            assertAnswers(RowFunction.request(i + 1), futures.get(i).getNow(null));
        }
        assertEquals(6, completions.get());
        // Draining does not wait for the (one day) max delay: 6 rows run as 4 + 2.
        assertEquals(List.of(4, 4, 2), f.batchSizes());
        assertAccounted(b.stats());
        assertEquals(7, b.stats().answered());
        b.close(); // idempotent
    }

    @Test
    void closeUnderFailPolicyFailsABatchGatheredButNotStarted() throws Exception {
        RowFunction f = new RowFunction(true);
        DynamicBatcher b = DynamicBatcher.start(f, options().onClose(ClosePolicy.FAIL).directStaging(true).build());
        var first = occupyWorker(b, f);
        List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
        for (int i = 1; i <= 4; i++) { // a full batch: gathered into the second staging buffer while the first runs
            futures.add(b.submit(RowFunction.request(i)));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (b.stats().queueWait().count() < 5) { // taken from the queue: 1 running + 4 gathered
            assertTrue(System.nanoTime() < end, "the full batch was never gathered");
            Thread.sleep(1);
        }
        b.shutdown();
        for (var fut : futures) {
            assertTrue(fut.isDone(), "a gathered request that has not run fails at shutdown() under FAIL");
            Throwable cause = failure(fut);
            assertTrue(cause.getMessage().contains("closed before this request ran (close policy FAIL)"), cause.getMessage());
        }
        f.release();
        b.close();
        assertAnswers(RowFunction.request(0), first.getNow(null));
        assertEquals(List.of(0f), f.ids(), "only the running batch ran");
        assertEquals(4, b.stats().failedOnClose());
        assertAccounted(b.stats());
    }

    @Test
    void aFailCloseFromAnAnswerCallbackNeitherDeadlocksNorLosesARequest() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            RowFunction f = new RowFunction(false);
            DynamicBatcher b = DynamicBatcher.start(f, options().onClose(ClosePolicy.FAIL).directStaging(true).build());
            List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
            CompletableFuture<Map<String, Tensor>> first = b.submit(RowFunction.request(0));
            first.whenComplete((v, e) -> b.close()); // on the answer thread: returns without waiting for itself
            for (int i = 1; i <= 40; i++) {
                try {
                    futures.add(b.submit(RowFunction.request(i)));
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    break; // the callback closed it meanwhile
                }
            }
            assertTrue(b.awaitTermination(Duration.ofSeconds(20)), "workers stopped");
            for (var fut : futures) {
                assertTrue(fut.isDone(), "every request answered or failed by the close");
            }
            assertAccounted(b.stats());
        });
    }

    @Test
    void closeUnderFailPolicyFailsQueuedRequestsAndFinishesTheRunningBatch() throws Exception {
        RowFunction f = new RowFunction(true);
        DynamicBatcher b = DynamicBatcher.start(f, options().onClose(ClosePolicy.FAIL).build());
        var first = occupyWorker(b, f);
        List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            futures.add(b.submit(RowFunction.request(i)));
        }
        b.shutdown();
        for (var fut : futures) {
            assertTrue(fut.isDone(), "queued request failed by shutdown() at once");
            Throwable cause = failure(fut);
            assertInstanceOf(RejectedExecutionException.class, cause);
            assertTrue(cause.getMessage().contains("closed before this request ran (close policy FAIL)"), cause.getMessage());
        }
        assertFalse(first.isDone());
        f.release();
        b.close();
        assertAnswers(RowFunction.request(0), first.getNow(null));
        assertEquals(List.of(0f), f.ids());
        BatcherStats s = b.stats();
        assertEquals(5, s.failedOnClose());
        assertAccounted(s);
    }

    @Test
    void shutdownReleasesBlockedSubmitters() throws Exception {
        RowFunction f = new RowFunction(true);
        BatcherOptions o = options().queueCapacity(1).blockTimeout(Duration.ofMinutes(1)).build();
        DynamicBatcher b = DynamicBatcher.start(f, o);
        var first = occupyWorker(b, f);
        var a = b.submit(RowFunction.request(1));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                b.submit(RowFunction.request(2));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        awaitBlocked(t);
        b.shutdown();
        t.join(30_000);
        assertInstanceOf(RejectedExecutionException.class, thrown.get());
        assertFalse(thrown.get() instanceof QueueFullException);
        f.release();
        b.close();
        assertTrue(first.isDone() && a.isDone());
        assertAccounted(b.stats());
    }

    @Test
    void invalidRequestsAreRefusedWithTheReason() {
        RowFunction f = new RowFunction(false);
        try (DynamicBatcher b = DynamicBatcher.start(f, options().build())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.submit(Map.of()));
            assertTrue(e.getMessage().contains("no inputs"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> b.submit(RowFunction.request(1, 5, 2)));
            assertTrue(e.getMessage().contains("has batch 5"), e.getMessage());
            assertTrue(e.getMessage().contains("expected 1..4 (maxBatch)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> b.submit(
                    Map.of("a", Tensor.zeros(1, 2), "b", Tensor.zeros(2, 2))));
            assertTrue(e.getMessage().contains("input 'b' has batch 2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> b.submit(Map.of("s", Tensor.zeros())));
            assertTrue(e.getMessage().contains("input 's' is a scalar"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> b.submit(RowFunction.request(1), Duration.ZERO));
            assertTrue(e.getMessage().contains("found PT0S"), e.getMessage());
            assertEquals(0, b.stats().submitted());
        }
    }

    @Test
    void statsCountBatchesAndLatencies() throws Exception {
        RowFunction f = new RowFunction(true);
        try (DynamicBatcher b = DynamicBatcher.start(f, options().build())) {
            var first = occupyWorker(b, f);
            List<CompletableFuture<Map<String, Tensor>>> futures = new ArrayList<>();
            for (int i = 1; i <= 9; i++) {
                futures.add(b.submit(RowFunction.request(i)));
            }
            f.release();
            get(first);
            for (var fut : futures) {
                get(fut);
            }
            BatcherStats s = b.stats();
            assertEquals(10, s.submitted());
            assertEquals(10, s.answered());
            assertEquals(4, s.batches());
            assertEquals(Map.of(1, 2L, 4, 2L), s.batchSizes());
            assertEquals(2.5, s.meanBatchSize(), 1e-9);
            assertEquals(10, s.queueWait().count());
            assertEquals(4, s.runTime().count());
            assertTrue(s.runTime().p50().compareTo(s.runTime().p99()) <= 0);
            assertTrue(s.runTime().p99().compareTo(s.runTime().max()) <= 0);
            assertTrue(s.runTime().max().compareTo(Duration.ZERO) > 0);
            assertAccounted(s);
        }
    }
}
