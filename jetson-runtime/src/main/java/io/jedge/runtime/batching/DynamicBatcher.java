package io.jedge.runtime.batching;

import io.jedge.sdk.Tensor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches concurrent requests in front of one model variant.
 *
 * <p>Each {@link #submit} queues one request (a map of tensors with batch 1, or a few rows) and
 * returns a future. Worker threads take the oldest requests, as many as fit in
 * {@link BatcherOptions#maxBatch()} rows, once that many rows are queued or the oldest has waited
 * {@link BatcherOptions#maxDelay()}; shape the group to the preferred batch sizes; concatenate each
 * input along the batch dimension; call the {@link BatchFunction} once; split its outputs back and
 * complete each request's future with its own rows. Requests join a batch in arrival order, and
 * only requests whose inputs have the same names, types and trailing shapes as the oldest one: the
 * first that differs starts the next batch.
 *
 * <p>Every accepted request is completed exactly once: with its outputs; with a
 * {@link BatchFailedException} if its batch function threw; with a {@link TimeoutException} if
 * its deadline passed before it was gathered into a batch; by the caller's {@code cancel} (a request cancelled
 * before its batch is gathered is skipped, never run; one cancelled later may still run with its
 * batch, its answer dropped); or, when closed under {@link ClosePolicy#FAIL}, with a
 * {@link RejectedExecutionException}. A failing batch does not stop the batcher.
 *
 * <p>Each worker is a pipeline of two threads: while one runs a batch, the other takes the next
 * full batch and concatenates it, so gathering overlaps the model; a batch that is not full waits
 * in the queue until the worker is free, where it can still grow.
 *
 * <p>Thread-safe. Answers are completed on one answer thread, in batch order, while the workers
 * run the next batch; dependent stages attached with the non-async {@code CompletableFuture}
 * methods run there and delay the other answers; attach heavy work with the {@code *Async}
 * variants. Failed batches are completed on the worker threads. All are daemon threads; close the
 * batcher to stop them.
 *
 * <pre>{@code
 * try (DynamicBatcher batcher = DynamicBatcher.start(model, BatcherOptions.builder().maxBatch(8).build())) {
 *     Map<String, Tensor> out = batcher.submit(Map.of("pixels", pixels)).get();
 * }
 * }</pre>
 */
public final class DynamicBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DynamicBatcher.class);

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;

    private final BatchFunction function;
    private final BatcherOptions options;
    private final String name;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final int[] preferred;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition space = lock.newCondition();
    private final Condition gathered = lock.newCondition(); // a lane's gather thread handed its batch over
    private final List<Lane> lanes = new ArrayList<>();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private int queuedRows; // guarded by lock
    private boolean shutdown; // guarded by lock

    private final List<Thread> workers = new ArrayList<>();
    private final Thread answerer;
    // Answered batches on their way to the answerer thread, END last. Bounded, so workers wait for
    // an answerer that falls behind (slow dependent stages) instead of piling up outputs.
    private final java.util.concurrent.BlockingQueue<Answers> answers;
    private final AtomicInteger liveWorkers;
    private final CountDownLatch terminated;
    private final ScheduledThreadPoolExecutor timer;

    private final LongAdder submitted = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder failedOnClose = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder paddedRows = new LongAdder();
    private final AtomicLongArray batchSizes;
    private final LatencyHistogram queueWait = new LatencyHistogram();
    private final LatencyHistogram runTime = new LatencyHistogram();

    private DynamicBatcher(BatchFunction function, BatcherOptions options) {
        this.function = Objects.requireNonNull(function, "function");
        this.options = Objects.requireNonNull(options, "options");
        this.name = options.name();
        this.maxBatch = options.maxBatch();
        this.maxDelayNanos = options.maxDelay().toNanos();
        this.preferred = options.preferredBatchSizes();
        this.batchSizes = new AtomicLongArray(maxBatch + 1);
        this.liveWorkers = new AtomicInteger(options.workers());
        this.terminated = new CountDownLatch(2 * options.workers() + 1); // run and gather threads, and the answerer
        this.answers = new java.util.concurrent.ArrayBlockingQueue<>(4 * options.workers());
        this.answerer = new Thread(this::answerLoop, "jedge-batcher-" + name + "-answers");
        answerer.setDaemon(true);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "jedge-batcher-" + name + "-timeouts");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Creates a batcher and starts its worker threads.
     *
     * @param function the model variant; called from the worker threads
     * @param options validated settings
     */
    public static DynamicBatcher start(BatchFunction function, BatcherOptions options) {
        DynamicBatcher b = new DynamicBatcher(function, options);
        for (int i = 0; i < options.workers(); i++) {
            Lane lane = b.new Lane();
            b.lanes.add(lane);
            Thread run = new Thread(() -> b.runLoop(lane), "jedge-batcher-" + b.name + "-" + i);
            Thread gather = new Thread(() -> b.gatherLoop(lane), "jedge-batcher-" + b.name + "-" + i + "-gather");
            run.setDaemon(true);
            gather.setDaemon(true);
            b.workers.add(run);
            b.workers.add(gather);
        }
        b.answerer.start();
        b.workers.forEach(Thread::start);
        log.debug("batcher started: {}", options);
        return b;
    }

    public BatcherOptions options() {
        return options;
    }

    /**
     * Queues a request with the {@linkplain BatcherOptions#defaultTimeout() default deadline}.
     *
     * @see #submit(Map, Duration)
     */
    public CompletableFuture<Map<String, Tensor>> submit(Map<String, Tensor> inputs) {
        return submit(inputs, options.defaultTimeout().orElse(null));
    }

    /**
     * Queues a request.
     *
     * @param inputs tensors by input name, all with the same batch {@code n}, 1 &lt;= n &lt;= maxBatch;
     *     the batcher keeps the tensors until the request is answered, so do not modify them
     * @param timeout deadline counted from this call: if the request has not been gathered into a batch by then,
     *     its future fails with a {@link TimeoutException}; {@code null} for none. A gathered batch may then wait up
     *     to one batch's run for its lane (the next one is gathered while the current one runs), which the deadline
     *     does not bound
     * @return a future of the request's outputs by name (each with batch {@code n}); cancelling it
     *     before its batch is gathered keeps the request out of the batch
     * @throws IllegalArgumentException if the inputs are empty, or their batches differ or are out of range
     * @throws QueueFullException if the queue is full (at once under {@link FullQueuePolicy#REJECT},
     *     after {@link BatcherOptions#blockTimeout()} under {@link FullQueuePolicy#BLOCK})
     * @throws RejectedExecutionException if the batcher is closed, or the thread is interrupted
     *     while blocked on a full queue (its interrupt flag is then set again)
     */
    public CompletableFuture<Map<String, Tensor>> submit(Map<String, Tensor> inputs, Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("request timeout for batcher '" + name + "': found " + timeout
                    + ", expected a positive duration or null");
        }
        Request r = new Request(inputs, timeout);
        lock.lock();
        try {
            if (shutdown) {
                throw closedError();
            }
            if (queue.size() >= options.queueCapacity()) {
                awaitSpace();
            }
            r.enqueuedNanos = System.nanoTime();
            queue.addLast(r);
            queuedRows += r.rows;
            submitted.increment();
            if (queue.size() == 1 || queuedRows >= maxBatch) {
                work.signalAll(); // gather threads of busy lanes wait too: signal() could wake only one of those
            }
        } finally {
            lock.unlock();
        }
        // Any completion while still queued (cancel, or the caller completing it) frees the slot.
        r.future.whenComplete((v, e) -> {
            if (r.state.compareAndSet(QUEUED, ABANDONED)) {
                remove(r);
                cancelled.increment();
            }
        });
        if (r.hasDeadline) {
            try {
                ScheduledFuture<?> task = timer.schedule(() -> expire(r), r.deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
                r.timeoutTask = task;
                if (r.state.get() != QUEUED) {
                    task.cancel(false); // taken before the task was visible: don't hold the request until its deadline
                }
            } catch (RejectedExecutionException e) {
                // The timer stops only after the workers emptied the queue, so r has been handled already.
            }
        }
        return r.future;
    }

    private void awaitSpace() {
        if (options.whenFull() == FullQueuePolicy.REJECT) {
            rejected.increment();
            throw new QueueFullException("batcher '" + name + "' rejected a request: its queue is full (capacity "
                    + options.queueCapacity() + " requests, policy REJECT)", options.queueCapacity());
        }
        long left = options.blockTimeout().toNanos();
        while (queue.size() >= options.queueCapacity() && !shutdown) {
            if (left <= 0) {
                rejected.increment();
                throw new QueueFullException("batcher '" + name + "' rejected a request: its queue stayed full (capacity "
                        + options.queueCapacity() + " requests) for " + options.blockTimeout() + " (policy BLOCK)",
                        options.queueCapacity());
            }
            try {
                left = space.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                rejected.increment();
                RejectedExecutionException x = new RejectedExecutionException(
                        "interrupted while waiting for space in the queue of batcher '" + name + "'");
                x.initCause(e);
                throw x;
            }
        }
        if (shutdown) {
            throw closedError();
        }
    }

    private RejectedExecutionException closedError() {
        return new RejectedExecutionException("batcher '" + name + "' is closed and accepts no more requests");
    }

    private static long saturatedAdd(long nanos, Duration d) {
        long add;
        try {
            add = d.toNanos();
        } catch (ArithmeticException e) {
            add = Long.MAX_VALUE;
        }
        // Wraps like nanoTime itself; deadlines are only ever compared by difference.
        return nanos + add;
    }

    private void remove(Request r) {
        lock.lock();
        try {
            if (queue.remove(r)) {
                queuedRows -= r.rows;
                space.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void expire(Request r) {
        if (r.state.compareAndSet(QUEUED, ABANDONED)) {
            remove(r);
            fail(r, timeoutError(r, System.nanoTime()));
        }
    }

    private TimeoutException timeoutError(Request r, long now) {
        return new TimeoutException("request to batcher '" + name + "' did not start within its timeout (waited "
                + Duration.ofNanos(now - r.submittedNanos) + ", deadline " + Duration.ofNanos(r.deadlineNanos - r.submittedNanos)
                + ")");
    }

    private void fail(Request r, TimeoutException e) {
        timedOut.increment();
        r.future.completeExceptionally(e);
    }

    // ---------------------------------------------------------------- workers

    /**
     * One worker: its gather thread takes the next batch and copies it into one staging buffer while
     * its run thread runs the previous batch from the other, so the copy (milliseconds for 16 images
     * of 224 px) overlaps the model instead of preceding it. Only a full batch is taken while the lane
     * is busy: a partial one stays queued and can still grow, as when runs and gathers alternated.
     */
    private final class Lane {
        final Staging[] staging = options.directStaging() ? new Staging[] {new Staging(), new Staging()} : null;
        final java.util.concurrent.Semaphore freeStaging = new java.util.concurrent.Semaphore(2);
        final java.util.concurrent.BlockingQueue<Prepared> ready = new java.util.concurrent.ArrayBlockingQueue<>(1);
        int inFlight; // guarded by lock: batches taken and not yet run to the end
        boolean gathering; // guarded by lock: a batch is taken and not yet handed to the run thread
        int nextStaging; // gather thread only

        void hand(Prepared p) {
            boolean interrupted = false;
            while (true) {
                try {
                    ready.put(p);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the batch must get through
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A gathered batch: its live requests, padding rows and batched inputs. END stops the run thread. */
    private record Prepared(List<Request> live, int pad, int total, Map<String, Tensor> inputs) {
        static final Prepared END = new Prepared(List.of(), 0, 0, Map.of());
    }

    private void gatherLoop(Lane lane) {
        try {
            while (true) {
                lane.freeStaging.acquireUninterruptibly(); // before taking: requests wait in the queue, not taken
                Batch batch = nextBatch(lane);
                if (batch == null) {
                    return;
                }
                try {
                    Prepared p = null;
                    try {
                        p = prepare(batch, lane.staging == null ? null : lane.staging[lane.nextStaging ^= 1]);
                    } finally {
                        if (p == null) {
                            batchDone(lane); // nothing to run: all cancelled, or the gather failed the batch
                        }
                    }
                    if (p != null) {
                        lane.hand(p);
                    }
                } finally {
                    gatheringDone(lane);
                }
            }
        } catch (Throwable t) {
            log.error("gather thread of batcher '{}' stopped unexpectedly", name, t);
            throw t;
        } finally {
            lane.hand(Prepared.END); // after every batch it gathered
            terminated.countDown();
        }
    }

    /** The lane's taken batch is handed over (or dropped): a FAIL shutdown waiting for it can look at the lane's queue. */
    private void gatheringDone(Lane lane) {
        lock.lock();
        try {
            lane.gathering = false;
            gathered.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void runLoop(Lane lane) {
        try {
            while (true) {
                Prepared p;
                try {
                    p = lane.ready.take();
                } catch (InterruptedException e) {
                    continue; // never interrupted by the batcher; only END stops it, so no batch is dropped
                }
                if (p == Prepared.END) {
                    return;
                }
                try {
                    if (failingClose()) {
                        failUnstarted(p.live()); // gathered while the close began: it has not run, so it fails
                    } else {
                        runBatch(p);
                    }
                } finally {
                    batchDone(lane);
                }
            }
        } catch (Throwable t) {
            log.error("worker of batcher '{}' stopped unexpectedly", name, t);
            throw t;
        } finally {
            if (liveWorkers.decrementAndGet() == 0) {
                timer.shutdownNow();
                handOver(Answers.END); // after every batch a worker handed over
            }
            terminated.countDown();
        }
    }

    /** A batch of the lane is run (or dropped): its staging buffer is free, and a partial batch may go. */
    private void batchDone(Lane lane) {
        lane.freeStaging.release();
        lock.lock();
        try {
            lane.inFlight--;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Completes the futures of answered batches, in the order the workers handed them over. Waking
     * each client costs a few microseconds (a futex call, and often a context switch on a busy CPU);
     * done here, that runs while the workers already run the next batch instead of before it.
     */
    private void answerLoop() {
        try {
            while (true) {
                Answers a;
                try {
                    a = answers.take();
                } catch (InterruptedException e) {
                    continue; // the batcher never interrupts it; only END stops it, so no answer is dropped
                }
                if (a == Answers.END) {
                    return;
                }
                a.complete(this);
            }
        } catch (Throwable t) {
            log.error("answer thread of batcher '{}' stopped unexpectedly", name, t);
            throw t;
        } finally {
            terminated.countDown();
        }
    }

    /** Waits for a batch to be due for {@code lane} and takes it from the queue; null once shut down and empty. */
    private Batch nextBatch(Lane lane) {
        List<Request> expired = new ArrayList<>();
        Batch batch;
        lock.lock();
        try {
            while (true) {
                if (queue.isEmpty()) {
                    if (shutdown) {
                        return null;
                    }
                    work.awaitUninterruptibly();
                    continue;
                }
                long waitLeft = maxDelayNanos - (System.nanoTime() - queue.peekFirst().enqueuedNanos);
                if (shutdown || queuedRows >= maxBatch || (waitLeft <= 0 && lane.inFlight == 0)) {
                    batch = take(expired);
                    if (batch != null) {
                        lane.inFlight++;
                        lane.gathering = true;
                        break;
                    }
                    continue; // everything looked at was dead; look again
                }
                if (waitLeft <= 0) {
                    work.awaitUninterruptibly(); // due, but this lane is busy: until it is idle or the batch is full
                    continue;
                }
                try {
                    work.awaitNanos(waitLeft);
                } catch (InterruptedException e) {
                    // Workers are never interrupted by the batcher; ignore and keep serving.
                }
            }
            if (!queue.isEmpty()) {
                work.signalAll(); // let an idle worker look at what is left
            }
            space.signalAll();
        } finally {
            lock.unlock();
            long now = System.nanoTime();
            for (Request r : expired) {
                fail(r, timeoutError(r, now));
            }
        }
        return batch;
    }

    /** Takes the next batch from the head of the queue; caller holds the lock. Null if none was live. */
    private Batch take(List<Request> expired) {
        long now = System.nanoTime();
        List<Request> candidates = new ArrayList<>();
        int rows = 0;
        String signature = null;
        for (Iterator<Request> it = queue.iterator(); it.hasNext(); ) {
            Request r = it.next();
            int state = r.state.get();
            boolean late = state == QUEUED && r.hasDeadline && now - r.deadlineNanos >= 0;
            if (state != QUEUED || late) {
                it.remove();
                queuedRows -= r.rows;
                if (late && r.state.compareAndSet(QUEUED, ABANDONED)) {
                    expired.add(r);
                }
                continue;
            }
            if (signature == null) {
                signature = r.signature;
            } else if (!signature.equals(r.signature) || rows + r.rows > maxBatch) {
                break;
            }
            candidates.add(r);
            rows += r.rows;
        }
        if (candidates.isEmpty()) {
            return null;
        }
        int target = rows;
        if (preferred.length > 0 && options.preferredSizePolicy() == PreferredSizePolicy.SPLIT) {
            for (int p : preferred) {
                if (p <= rows) {
                    target = p;
                }
            }
        }
        List<Request> taken = new ArrayList<>(candidates.size());
        int takenRows = 0;
        for (Request r : candidates) {
            // The head always runs, even when it alone is more rows than the preferred target.
            if (takenRows > 0 && takenRows + r.rows > target) {
                break;
            }
            queue.pollFirst(); // candidates are the live head of the queue, in order
            queuedRows -= r.rows;
            if (r.state.compareAndSet(QUEUED, RUNNING)) {
                taken.add(r);
                takenRows += r.rows;
                queueWait.record(now - r.enqueuedNanos);
                ScheduledFuture<?> t = r.timeoutTask;
                if (t != null) {
                    t.cancel(false);
                }
            }
        }
        return taken.isEmpty() ? null : new Batch(taken);
    }

    /** Shapes and gathers a taken batch; null when nothing is left to run (its requests are then completed). */
    private Prepared prepare(Batch batch, Staging staging) {
        // A request cancelled after it was taken but before it is gathered is skipped.
        List<Request> live = new ArrayList<>(batch.requests.size());
        for (Request r : batch.requests) {
            if (r.future.isDone()) {
                cancelled.increment();
            } else {
                live.add(r);
            }
        }
        if (live.isEmpty()) {
            return null;
        }
        int rows = 0;
        for (Request r : live) {
            rows += r.rows;
        }
        int pad = 0;
        if (preferred.length > 0 && options.preferredSizePolicy() == PreferredSizePolicy.PAD) {
            for (int p : preferred) {
                if (p >= rows) {
                    pad = p - rows;
                    break;
                }
            }
        }
        int total = rows + pad;
        Map<String, Tensor> inputs;
        try {
            inputs = Collections.unmodifiableMap(concat(live, pad, staging));
        } catch (Throwable e) {
            batches.increment();
            batchSizes.incrementAndGet(total);
            paddedRows.add(pad);
            failBatch(live, total, e);
            return null;
        }
        return new Prepared(live, pad, total, inputs);
    }

    private void runBatch(Prepared p) {
        List<Request> live = p.live();
        int pad = p.pad();
        int total = p.total();
        // Every request cancelled while it waited for the run thread: the batch is not run.
        boolean waited = false;
        for (Request r : live) {
            waited |= !r.future.isDone();
        }
        if (!waited) {
            cancelled.add(live.size());
            return;
        }
        Map<String, Tensor> outputs;
        long t0 = System.nanoTime();
        try {
            outputs = function.run(p.inputs());
            if (outputs == null) {
                throw new IllegalStateException("batch function returned null instead of a map of outputs");
            }
        } catch (Throwable e) {
            failBatch(live, total, e);
            return;
        } finally {
            runTime.record(System.nanoTime() - t0);
            batches.increment();
            batchSizes.incrementAndGet(total);
            paddedRows.add(pad);
        }
        List<Map<String, Tensor>> answers;
        try {
            answers = split(outputs, live, pad, total);
        } catch (RuntimeException e) {
            failBatch(live, total, e);
            return;
        }
        handOver(new Answers(live, answers));
    }

    private void handOver(Answers a) {
        boolean interrupted = false;
        while (true) {
            try {
                answers.put(a);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the answers must get through; keep the flag for the caller
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One batch's requests and their outputs, in the same order. */
    private record Answers(List<Request> requests, List<Map<String, Tensor>> outputs) {
        static final Answers END = new Answers(List.of(), List.of());

        void complete(DynamicBatcher b) {
            for (int i = 0; i < requests.size(); i++) {
                // Counted before completing, so a caller who sees its answer also sees it counted.
                b.answered.increment();
                // CompletableFuture fails a dependent stage that throws; nothing a caller attached escapes complete()
                if (!requests.get(i).future.complete(outputs.get(i))) {
                    b.answered.decrement();
                    b.cancelled.increment(); // cancelled while its batch ran
                }
            }
        }
    }

    private void failBatch(List<Request> live, int total, Throwable cause) {
        log.warn("batch of {} rows ({} requests) failed in batcher '{}'", total, live.size(), name, cause);
        BatchFailedException e = new BatchFailedException("batch function of batcher '" + name + "' failed on a batch of "
                + total + " rows (" + live.size() + " requests): " + cause, total, cause);
        for (Request r : live) {
            failed.increment();
            if (!r.future.completeExceptionally(e)) {
                failed.decrement();
                cancelled.increment();
            }
        }
    }

    /**
     * A worker's direct memory for batched inputs, one buffer per input, reused for every batch and
     * grown to the next power of two when a batch needs more: no allocation per batch in the steady
     * state, and backends read it without a copy.
     */
    private static final class Staging {
        private final Map<String, java.nio.ByteBuffer> buffers = new java.util.HashMap<>();

        Tensor concat(String input, List<Tensor> parts) {
            long bytes = 0;
            for (Tensor t : parts) {
                bytes += t.byteSize();
            }
            java.nio.ByteBuffer b = buffers.get(input);
            if (b == null || b.capacity() < bytes) {
                long size = io.jedge.runtime.backend.SizeClass.of(bytes, 64);
                if (size > io.jedge.runtime.backend.SizeClass.MAX_BUFFER) {
                    return Tensor.concatBatch(parts); // beyond one buffer: the batch function gets fresh memory
                }
                b = java.nio.ByteBuffer.allocateDirect((int) size).order(java.nio.ByteOrder.nativeOrder());
                buffers.put(input, b);
            }
            return Tensor.concatBatchInto(parts, b);
        }
    }

    private static Map<String, Tensor> concat(List<Request> live, int pad, Staging staging) {
        Request last = live.get(live.size() - 1);
        Map<String, Tensor> batched = new LinkedHashMap<>();
        for (String input : live.get(0).inputs.keySet()) {
            if (live.size() == 1 && pad == 0) {
                batched.put(input, last.inputs.get(input));
                continue;
            }
            List<Tensor> parts = new ArrayList<>(live.size() + 1);
            for (Request r : live) {
                parts.add(r.inputs.get(input));
            }
            if (pad > 0) { // the last row again, pad times: a view where it can be, and the one concatenation copies it
                Tensor t = last.inputs.get(input);
                Tensor row = t.isDirect() ? t.viewBatch(last.rows - 1, last.rows) : t.sliceBatch(last.rows - 1, last.rows);
                parts.addAll(Collections.nCopies(pad, row));
            }
            batched.put(input, staging != null ? staging.concat(input, parts) : Tensor.concatBatch(parts));
        }
        return batched;
    }

    private List<Map<String, Tensor>> split(Map<String, Tensor> outputs, List<Request> live, int pad, int total) {
        int n = live.size();
        int[] sizes = new int[pad > 0 ? n + 1 : n];
        for (int i = 0; i < n; i++) {
            sizes[i] = live.get(i).rows;
        }
        if (pad > 0) {
            sizes[n] = pad;
        }
        List<Map<String, Tensor>> answers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            answers.add(new LinkedHashMap<>());
        }
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            Tensor t = e.getValue();
            if (t == null || t.rank() == 0 || t.dim(0) != total) {
                throw new IllegalStateException("batch function of batcher '" + name + "' returned output '" + e.getKey()
                        + "' with shape " + (t == null ? "null" : Arrays.toString(t.shape())) + ", expected batch "
                        + total + " as its first dimension");
            }
            List<Tensor> parts = (n == 1 && pad == 0) ? List.of(t) : t.splitBatch(sizes);
            for (int i = 0; i < n; i++) {
                answers.get(i).put(e.getKey(), parts.get(i));
            }
        }
        for (int i = 0; i < n; i++) {
            answers.set(i, Collections.unmodifiableMap(answers.get(i)));
        }
        return answers;
    }

    // ---------------------------------------------------------------- lifecycle and stats

    /**
     * Stops accepting requests and returns at once. Under {@link ClosePolicy#DRAIN} the workers run
     * every queued request (without waiting for the maximum delay) and then stop; under
     * {@link ClosePolicy#FAIL} every queued request fails now, with those already gathered into a batch
     * that has not started. Threads blocked in {@link #submit}
     * on a full queue get a {@link RejectedExecutionException}. Idempotent.
     */
    public void shutdown() {
        List<Request> dropped = new ArrayList<>();
        List<Lane> unstarted = new ArrayList<>();
        lock.lock();
        try {
            if (shutdown) {
                return;
            }
            shutdown = true;
            if (options.onClose() == ClosePolicy.FAIL) {
                for (Request r : queue) {
                    if (r.state.compareAndSet(QUEUED, ABANDONED)) {
                        dropped.add(r);
                    }
                }
                queue.clear();
                queuedRows = 0;
                // A batch gathered for the next run has not run either: it fails too. Gathering is a copy
                // (milliseconds at most), so wait for one in progress rather than let it run after the close;
                // not from this batcher's own threads (a future's callback), which could be the one gathering.
                // A batch that still reaches a run thread after this is failed there (runLoop).
                boolean own = workers.contains(Thread.currentThread()) || Thread.currentThread() == answerer;
                while (!own && lanes.stream().anyMatch(l -> l.gathering)) {
                    gathered.awaitUninterruptibly();
                }
                for (Lane lane : lanes) {
                    Prepared p = lane.ready.poll();
                    if (p != null && p != Prepared.END) {
                        dropped.addAll(p.live());
                        unstarted.add(lane);
                    } else if (p == Prepared.END) {
                        lane.hand(p); // not ours to take: the run thread stops on it
                    }
                }
            }
            work.signalAll();
            space.signalAll();
        } finally {
            lock.unlock();
        }
        unstarted.forEach(this::batchDone);
        failUnstarted(dropped);
        log.debug("batcher '{}' shut down; {} queued requests failed", name, dropped.size());
    }

    /** Fails requests a FAIL close caught before they ran; one its caller cancelled after it was gathered counts as cancelled. */
    private void failUnstarted(List<Request> requests) {
        for (Request r : requests) {
            if (r.future.completeExceptionally(new RejectedExecutionException(
                    "batcher '" + name + "' was closed before this request ran (close policy FAIL)"))) {
                failedOnClose.increment();
            } else {
                cancelled.increment();
            }
        }
    }

    /** Whether a FAIL close has begun: batches gathered before it fail instead of running. */
    private boolean failingClose() {
        lock.lock();
        try {
            return shutdown && options.onClose() == ClosePolicy.FAIL;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the workers to stop after {@link #shutdown()}.
     *
     * @return true if they stopped, false if the timeout passed first
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * {@link #shutdown()}, then waits until the running batches and, under {@link ClosePolicy#DRAIN},
     * the queued ones are answered: after it returns every future this batcher handed out is done.
     * If interrupted it returns early with the interrupt flag set; called from one of the batcher's
     * threads (in a dependent stage) it does not wait. Idempotent.
     */
    @Override
    public void close() {
        shutdown();
        if (workers.contains(Thread.currentThread()) || Thread.currentThread() == answerer) {
            return;
        }
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A snapshot of the counters; see {@link BatcherStats}. */
    public BatcherStats stats() {
        TreeMap<Integer, Long> sizes = new TreeMap<>();
        for (int i = 1; i < batchSizes.length(); i++) {
            long c = batchSizes.get(i);
            if (c > 0) {
                sizes.put(i, c);
            }
        }
        long done = answered.sum() + failed.sum() + timedOut.sum() + cancelled.sum() + failedOnClose.sum();
        return new BatcherStats(submitted.sum(), answered.sum(), failed.sum(), timedOut.sum(), cancelled.sum(),
                failedOnClose.sum(), rejected.sum(), Math.max(0, submitted.sum() - done), batches.sum(),
                paddedRows.sum(), sizes, queueWait.summary(), runTime.summary());
    }

    @Override
    public String toString() {
        return "DynamicBatcher{" + name + "}";
    }

    // ---------------------------------------------------------------- values

    private final class Request {
        final Map<String, Tensor> inputs;
        final String signature;
        final int rows;
        final long submittedNanos;
        final boolean hasDeadline;
        final long deadlineNanos;
        final CompletableFuture<Map<String, Tensor>> future = new CompletableFuture<>();
        final AtomicInteger state = new AtomicInteger(QUEUED);
        long enqueuedNanos; // written before the request is published under the lock
        volatile ScheduledFuture<?> timeoutTask;

        Request(Map<String, Tensor> in, Duration timeout) {
            this.submittedNanos = System.nanoTime();
            this.hasDeadline = timeout != null;
            this.deadlineNanos = timeout == null ? 0 : saturatedAdd(submittedNanos, timeout);
            if (in == null || in.isEmpty()) {
                throw new IllegalArgumentException("request to batcher '" + name + "': found no inputs, expected at least one tensor");
            }
            this.inputs = new LinkedHashMap<>(in);
            StringBuilder sig = new StringBuilder();
            int n = -1;
            for (String key : new TreeMap<>(inputs).keySet()) {
                Tensor t = inputs.get(key);
                if (t == null || t.rank() == 0) {
                    throw new IllegalArgumentException("request to batcher '" + name + "': input '" + key + "' is "
                            + (t == null ? "null" : "a scalar") + ", expected a tensor whose first dimension is the batch");
                }
                long b = t.dim(0);
                if (n < 0) {
                    if (b < 1 || b > maxBatch) {
                        throw new IllegalArgumentException("request to batcher '" + name + "': input '" + key + "' has batch "
                                + b + " (shape " + Arrays.toString(t.shape()) + "), expected 1.." + maxBatch + " (maxBatch)");
                    }
                    n = (int) b;
                } else if (b != n) {
                    throw new IllegalArgumentException("request to batcher '" + name + "': input '" + key + "' has batch " + b
                            + " (shape " + Arrays.toString(t.shape()) + "), expected " + n + " like the other inputs");
                }
                long[] shape = t.shape();
                sig.append(key).append(':').append(t.type()).append(Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)))
                        .append(';');
            }
            this.rows = n;
            this.signature = sig.toString();
        }
    }

    private record Batch(List<Request> requests) {}
}
