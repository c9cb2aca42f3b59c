package io.jedge.runtime.bench;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.batching.BatcherOptions;
import io.jedge.runtime.batching.BatcherStats;
import io.jedge.runtime.batching.DynamicBatcher;
import io.jedge.runtime.batching.FullQueuePolicy;
import io.jedge.runtime.batching.QueueFullException;
import io.jedge.sdk.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Does the dynamic batcher pay on this model and machine? Compares, on one session, hand-made full
 * batches (one thread calling {@code run} on a prebuilt batch of {@code maxBatch} rows in direct
 * memory) with a
 * {@link DynamicBatcher} fed one-row requests by closed-loop clients, in the same amount of work.
 *
 * <p>Made to be reproducible on a shared host: both sides process the same number of rows per
 * round (fixed work, not fixed time, so no tail of a half-finished interval counts), both are warmed
 * first, the order alternates between rounds (so load drift hits both alike), and the verdict is the
 * median of the per-round ratios with their spread. Every request is accounted for: a round in which
 * one was not answered reports it as lost.
 *
 * <p>{@link #openLoop} answers the other question an app has: what latency do requests arriving at a known
 * rate see through the batcher, and from what rate on does it fall behind.
 */
public final class BatcherBench {
    private BatcherBench() {
    }

    /**
     * One round: rows per second of wall time and per second of process CPU time (all threads, the
     * backend's included) of each side, and requests not answered. The CPU figure is what the batcher
     * costs in work, and moves little when other processes load the host; the wall figure is the
     * throughput an app sees.
     */
    public record Round(double handMadeRowsPerSec, double batcherRowsPerSec, double handMadeRowsPerCpuSec,
            double batcherRowsPerCpuSec, double meanBatch, long lost) {
        public double ratio() {
            return batcherRowsPerSec / handMadeRowsPerSec;
        }

        public double cpuRatio() {
            return batcherRowsPerCpuSec / handMadeRowsPerCpuSec;
        }
    }

    /** Throughput of one side of a round. */
    private record Side(double rowsPerSec, double rowsPerCpuSec, double meanBatch, long lost) {
    }

    private static final java.lang.management.OperatingSystemMXBean OS =
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** CPU time of the whole process in nanoseconds, or -1 where the JVM does not report it. */
    private static long processCpuNanos() {
        try {
            return OS instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        } catch (LinkageError e) { // a jlink runtime without jdk.management
            return -1;
        }
    }

    /** All rounds and their median ratio (target ≥ 0.9). */
    public record Result(int maxBatch, int clients, boolean asyncClients, int rowsPerRound, List<Round> rounds) {
        public double medianRatio() {
            double[] r = rounds.stream().mapToDouble(Round::ratio).sorted().toArray();
            return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
        }

        public double minRatio() {
            return rounds.stream().mapToDouble(Round::ratio).min().orElse(Double.NaN);
        }

        public double maxRatio() {
            return rounds.stream().mapToDouble(Round::ratio).max().orElse(Double.NaN);
        }

        /** Median of the per-round CPU-time ratios (NaN where the JVM gives no process CPU time). */
        public double medianCpuRatio() {
            double[] r = rounds.stream().mapToDouble(Round::cpuRatio).sorted().toArray();
            return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
        }

        public long lost() {
            return rounds.stream().mapToLong(Round::lost).sum();
        }
    }

    /**
     * What one batcher benchmark runs: the closed-loop comparison with hand-made full batches ({@link #run}),
     * or, with {@code openLoopRates}, latency at fixed offered loads ({@link #openLoop}). Checked on
     * construction, so a bad value fails before a bundle is read or a session opened
     * ({@link BenchOptionException}, naming the component).
     *
     * @param maxBatch      the batcher's largest batch and the hand-made side's batch, 2..{@value BundleBenchOptions#MAX_BATCH}
     * @param maxDelay      how long the batcher waits to fill a batch, 0 or more
     * @param clients       closed loop: client threads, 1..{@value #MAX_CLIENTS}
     * @param rounds        closed loop: alternating rounds, 1..{@value #MAX_ROUNDS}
     * @param seconds       closed loop: about how long one side of one round takes (sets the rows per round); open loop:
     *                      how long requests arrive at each rate; as {@link BundleBenchOptions#check}
     * @param openLoopRates open loop: offered loads in requests per second, each in (0, {@value #MAX_RATE}], at most
     *                      {@value #MAX_RATES} of them, with rate × seconds at most {@value #MAX_OPEN_LOOP_REQUESTS}; empty for
     *                      the closed loop
     * @param asyncClients  closed loop: each client submits its next request from the previous answer's callback instead
     *                      of blocking a thread on it (an app on the async API); false: one blocking thread per client
     */
    public record Plan(int maxBatch, Duration maxDelay, int clients, int rounds, double seconds, List<Double> openLoopRates,
            boolean asyncClients) {
        public static final int MAX_CLIENTS = 1024;
        public static final int MAX_ROUNDS = 100;
        public static final Duration DEFAULT_DELAY = Duration.ofMillis(2);
        public static final double MAX_RATE = 1_000_000;
        public static final int MAX_RATES = 32;
        /** Requests of one open-loop rate: each one's latency is kept (8 bytes) to take exact percentiles. */
        public static final long MAX_OPEN_LOOP_REQUESTS = 1_000_000;

        public Plan {
            if (maxBatch < 2 || maxBatch > BundleBenchOptions.MAX_BATCH) {
                throw new BenchOptionException("maxBatch", maxBatch, "a maximum batch of 2 to " + BundleBenchOptions.MAX_BATCH);
            }
            if (maxDelay == null || maxDelay.isNegative()) {
                throw new BenchOptionException("maxDelay", maxDelay, "a duration of 0 or more");
            }
            if (clients < 1 || clients > MAX_CLIENTS) {
                throw new BenchOptionException("clients", clients, "1 to " + MAX_CLIENTS);
            }
            if (rounds < 1 || rounds > MAX_ROUNDS) {
                throw new BenchOptionException("rounds", rounds, "1 to " + MAX_ROUNDS);
            }
            BundleBenchOptions.check(List.of(), seconds, 0);
            if (openLoopRates != null && openLoopRates.stream().anyMatch(java.util.Objects::isNull)) { // List.of's contains(null) throws
                throw new BenchOptionException("openLoopRates", openLoopRates, "rates without null");
            }
            openLoopRates = openLoopRates == null ? List.of() : List.copyOf(openLoopRates);
            if (asyncClients && !openLoopRates.isEmpty()) {
                throw new BenchOptionException("asyncClients", true, "the closed loop only (open-loop requests never wait for answers)");
            }
            if (openLoopRates.size() > MAX_RATES) {
                throw new BenchOptionException("openLoopRates", openLoopRates.size() + " rates", "at most " + MAX_RATES);
            }
            for (double rate : openLoopRates) {
                if (!(rate > 0 && rate <= MAX_RATE)) {
                    throw new BenchOptionException("openLoopRates", rate, "requests per second in (0, " + (long) MAX_RATE + "]");
                }
                if (rate * seconds > MAX_OPEN_LOOP_REQUESTS) {
                    throw new BenchOptionException("openLoopRates", rate, "at most " + MAX_OPEN_LOOP_REQUESTS
                            + " requests in " + seconds + " s; lower the rate or the seconds");
                }
            }
        }

        /** The default 2 ms delay; {@code clients} null: twice the maximum batch, at most {@value #MAX_CLIENTS}. */
        public static Plan of(int maxBatch, Integer clients, int rounds, double seconds) {
            return new Plan(maxBatch, DEFAULT_DELAY, clients != null ? clients : Math.min(2 * maxBatch, MAX_CLIENTS), rounds, seconds,
                    List.of(), false);
        }

        /** This plan measuring latency at each of {@code rates} requests per second instead of the closed loop. */
        public Plan withOpenLoop(List<Double> rates) {
            return new Plan(maxBatch, maxDelay, clients, rounds, seconds, rates, asyncClients);
        }

        /** This plan with clients that submit from answer callbacks ({@code true}) or block a thread each. */
        public Plan withAsyncClients(boolean async) {
            return new Plan(maxBatch, maxDelay, clients, rounds, seconds, openLoopRates, async);
        }

        /** Whether this plan runs {@link #openLoop} rather than {@link #run}. */
        public boolean isOpenLoop() {
            return !openLoopRates.isEmpty();
        }
    }

    /**
     * @param row      one request: every input with batch 1
     * @param progress one line per round
     */
    public static Result run(InferenceSession session, Map<String, Tensor> row, Plan plan, Consumer<String> progress)
            throws InterruptedException {
        if (plan.isOpenLoop()) {
            throw new IllegalArgumentException("plan has open-loop rates " + plan.openLoopRates() + "; run them with openLoop");
        }
        int maxBatch = plan.maxBatch();
        Duration maxDelay = plan.maxDelay();
        int clients = plan.clients();
        int rounds = plan.rounds();
        double seconds = plan.seconds();
        Map<String, Tensor> full = fullBatch(row, maxBatch);
        double batchSec = fullBatchSeconds(session, full);
        int batchesPerRound = (int) Math.max(16, Math.min(100_000, seconds / batchSec)); // 16+: the first and last batch weigh little
        int rowsPerRound = batchesPerRound * maxBatch;
        // one whole uncounted round of each side first: shorter warm-ups left round 1 running code not yet compiled
        // (it was the lowest round of every run in benchmarks/batching-cpu-2026-12-03-run2.md)
        handMade(session, full, batchesPerRound, maxBatch);
        batcherRound(session, row, maxBatch, maxDelay, clients, rowsPerRound, plan.asyncClients());
        List<Round> out = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Side hand;
            Side b;
            if (r % 2 == 0) {
                hand = handMade(session, full, batchesPerRound, maxBatch);
                b = batcherRound(session, row, maxBatch, maxDelay, clients, rowsPerRound, plan.asyncClients());
            } else {
                b = batcherRound(session, row, maxBatch, maxDelay, clients, rowsPerRound, plan.asyncClients());
                hand = handMade(session, full, batchesPerRound, maxBatch);
            }
            Round round = new Round(hand.rowsPerSec(), b.rowsPerSec(), hand.rowsPerCpuSec(), b.rowsPerCpuSec(), b.meanBatch(),
                    b.lost());
            out.add(round);
            progress.accept(String.format(java.util.Locale.ROOT,
                    "round %d: hand-made %.1f rows/s, batcher %.1f rows/s (mean batch %.2f), %.3fx wall, %s per CPU second, "
                            + "lost %d", r + 1, round.handMadeRowsPerSec(), round.batcherRowsPerSec(), round.meanBatch(),
                    round.ratio(), ratioText(round.cpuRatio()), round.lost()));
        }
        return new Result(maxBatch, clients, plan.asyncClients(), rowsPerRound, List.copyOf(out));
    }

    /**
     * The strongest hand-made baseline: one prebuilt full batch in direct memory, which backends read without a
     * copy, as the batcher's staging is.
     */
    private static Map<String, Tensor> fullBatch(Map<String, Tensor> row, int maxBatch) {
        Map<String, Tensor> full = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : row.entrySet()) {
            full.put(e.getKey(), Tensor.concatBatch(Collections.nCopies(maxBatch, e.getValue())).toDirect());
        }
        return full;
    }

    /** Warms the session, then times a hand-made full batch: the median of five, so one slow call on a shared host does not count. */
    private static double fullBatchSeconds(InferenceSession session, Map<String, Tensor> full) {
        for (int i = 0; i < 3; i++) {
            session.run(full);
        }
        double[] calls = new double[5];
        for (int i = 0; i < calls.length; i++) {
            long t0 = System.nanoTime();
            session.run(full);
            calls[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(calls);
        return Math.max(calls[calls.length / 2], 1e-5);
    }

    /**
     * One offered load of {@link #openLoop}.
     *
     * @param offeredPerSec  the rate asked for, requests per second
     * @param arrivals       requests generated (a Poisson process at that rate, for the plan's seconds)
     * @param answeredPerSec requests answered per second, from the first arrival to the last answer
     * @param p50Ms          latency percentiles of the answered requests, each counted from its intended arrival time
     * @param rejected       requests refused because the batcher's queue was full (the load is above capacity)
     * @param lost           requests accepted but never answered
     */
    public record LoadPoint(double offeredPerSec, int arrivals, double answeredPerSec, double p50Ms, double p90Ms, double p99Ms,
            double meanBatch, long rejected, long lost) {
    }

    /**
     * Latency against offered load, what a camera or a request stream at a known rate sees: for each of the plan's
     * rates, one-row requests arrive at the batcher as a Poisson process (seeded) for the plan's seconds, each submitted
     * at its intended arrival time without waiting for earlier answers (open loop). Latency counts from the intended
     * time, so a generator that wakes late does not hide queueing. The batcher is the app API's: its default queue of
     * {@code LoadOptions} ({@code queueCapacity}), here refusing rather than blocking when full, so a load above
     * capacity shows as rejected requests instead of stalling the generator.
     *
     * @param row      one request: every input with batch 1
     * @param progress the hand-made full batches' throughput (the capacity a batcher approaches), then one line per rate
     */
    public static List<LoadPoint> openLoop(InferenceSession session, Map<String, Tensor> row, Plan plan, Consumer<String> progress)
            throws InterruptedException {
        if (!plan.isOpenLoop()) {
            throw new IllegalArgumentException("plan has no open-loop rates; the closed-loop comparison is run()");
        }
        int maxBatch = plan.maxBatch();
        double batchSec = fullBatchSeconds(session, fullBatch(row, maxBatch));
        progress.accept(String.format(java.util.Locale.ROOT, "hand-made full batches of %d: %.1f rows/s, the most a batcher "
                + "approaches", maxBatch, maxBatch / batchSec));
        List<LoadPoint> out = new ArrayList<>();
        for (double rate : plan.openLoopRates()) {
            LoadPoint p = openLoopPoint(session, row, plan, rate, batchSec);
            out.add(p);
            progress.accept(p.arrivals() == 0 ? String.format(java.util.Locale.ROOT, "open loop %.1f req/s: no request arrived "
                    + "in %s s; raise the seconds or the rate", rate, plan.seconds())
                    : String.format(java.util.Locale.ROOT, "open loop %.1f req/s: %d arrivals, answered %.1f req/s, "
                    + "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, mean batch %.2f, rejected %d, lost %d", rate, p.arrivals(),
                    p.answeredPerSec(), p.p50Ms(), p.p90Ms(), p.p99Ms(), p.meanBatch(), p.rejected(), p.lost()));
        }
        return List.copyOf(out);
    }

    private static LoadPoint openLoopPoint(InferenceSession session, Map<String, Tensor> row, Plan plan, double rate,
            double batchSec) throws InterruptedException {
        java.util.Random rnd = new java.util.Random(11);
        long span = (long) (plan.seconds() * 1e9);
        // room for every arrival: a Poisson count above twice its mean (plus 64) does not happen in practice
        long[] latency = new long[(int) Math.min(2 * Plan.MAX_OPEN_LOOP_REQUESTS, (long) (2 * rate * plan.seconds()) + 64)];
        int queue = io.jedge.sdk.LoadOptions.defaults().queueCapacity();
        BatcherOptions opts = BatcherOptions.builder().name("bench-open-loop").maxBatch(plan.maxBatch()).maxDelay(plan.maxDelay())
                .workers(1).queueCapacity(queue).whenFull(FullQueuePolicy.REJECT).directStaging(true).build();
        java.util.concurrent.atomic.AtomicLong lastAnswer = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.Semaphore done = new java.util.concurrent.Semaphore(0); // one permit per finished request
        int n = 0;
        int accepted = 0;
        long rejected = 0;
        long lost;
        long start;
        BatcherStats warm;
        BatcherStats stats;
        try (DynamicBatcher batcher = DynamicBatcher.start(session::run, opts)) {
            List<java.util.concurrent.CompletableFuture<?>> warmUp = new ArrayList<>(); // the batcher's code paths, JIT-compiled
            for (int i = 0; i < Math.min(4 * plan.maxBatch(), queue); i++) {
                warmUp.add(batcher.submit(row));
            }
            warmUp.forEach(java.util.concurrent.CompletableFuture::join);
            warm = batcher.stats();
            start = System.nanoTime();
            double t = -Math.log(1 - rnd.nextDouble()) / rate * 1e9;
            for (; t < span && n < latency.length; n++, t += -Math.log(1 - rnd.nextDouble()) / rate * 1e9) {
                long intended = start + (long) t;
                long wait;
                while ((wait = intended - System.nanoTime()) > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait); // park, never spin: the worker needs the cores
                }
                int k = n;
                try {
                    batcher.submit(row).whenComplete((v, e) -> {
                        long now = System.nanoTime();
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            latency[k] = now - intended;
                            lastAnswer.accumulateAndGet(now, Math::max);
                        }
                        done.release();
                    });
                    accepted++;
                } catch (QueueFullException e) {
                    rejected++;
                }
            }
            // a full queue drains in queue / maxBatch batches; what is still unanswered well past that is lost
            long drainNanos = (long) ((double) queue / plan.maxBatch() * batchSec * 4e9) + 60_000_000_000L;
            lost = done.tryAcquire(accepted, drainNanos, java.util.concurrent.TimeUnit.NANOSECONDS) ? 0
                    : accepted - done.availablePermits();
            if (failure.get() != null) { // before the close, which fails whatever is lost
                throw new IllegalStateException("batcher open loop at " + rate + " req/s: a request failed: "
                        + failure.get().getMessage(), failure.get());
            }
            stats = batcher.stats();
        }
        int arrivals = n;
        double[] ms = java.util.stream.IntStream.range(0, arrivals).filter(i -> latency[i] > 0)
                .mapToDouble(i -> latency[i] / 1e6).sorted().toArray();
        double elapsed = (Math.max(lastAnswer.get(), start + span) - start) / 1e9;
        return new LoadPoint(rate, arrivals, ms.length / elapsed, pct(ms, 50), pct(ms, 90), pct(ms, 99), meanBatchSince(warm, stats),
                rejected, lost);
    }

    private static double pct(double[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : LatencyBench.percentile(sorted, p);
    }

    /** Mean rows per batch of the batches run after {@code before} (the warm-up's are not counted). */
    private static double meanBatchSince(BatcherStats before, BatcherStats after) {
        long rows = 0;
        long batches = 0;
        for (Map.Entry<Integer, Long> e : after.batchSizes().entrySet()) {
            long n = e.getValue() - before.batchSizes().getOrDefault(e.getKey(), 0L);
            rows += (long) e.getKey() * n;
            batches += n;
        }
        return batches == 0 ? 0 : (double) rows / batches;
    }

    /** The line a latency-against-load table is made from, one per variant and rate. */
    public static String openLoopResultLine(String variant, String backend, int maxBatch, LoadPoint p) {
        return String.format(java.util.Locale.ROOT, "RESULT batcher-open-loop variant=%s backend=%s max_batch=%d offered=%.1f "
                + "arrivals=%d answered=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f mean_batch=%.2f rejected=%d lost=%d", variant,
                backend, maxBatch, p.offeredPerSec(), p.arrivals(), p.answeredPerSec(), p.p50Ms(), p.p90Ms(), p.p99Ms(),
                p.meanBatch(), p.rejected(), p.lost());
    }

    private static Side handMade(InferenceSession session, Map<String, Tensor> full, int batches, int maxBatch) {
        long cpu = processCpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            session.run(full);
        }
        long wall = System.nanoTime() - start;
        long cpuUsed = processCpuNanos() - cpu;
        double rows = (double) batches * maxBatch;
        return new Side(rows / (wall / 1e9), cpu < 0 ? Double.NaN : rows / (cpuUsed / 1e9), maxBatch, 0);
    }

    private static Side batcherRound(InferenceSession session, Map<String, Tensor> row, int maxBatch, Duration maxDelay,
            int clients, int rows, boolean async) throws InterruptedException {
        BatcherOptions opts = BatcherOptions.builder().name("bench").maxBatch(maxBatch).maxDelay(maxDelay).workers(1)
                .queueCapacity(Math.max(clients * 2, 16)).whenFull(FullQueuePolicy.BLOCK).directStaging(true).build();
        AtomicInteger left = new AtomicInteger(rows);
        LongAdder answered = new LongAdder();
        LongAdder failed = new LongAdder();
        BatcherStats stats;
        long start;
        long end;
        long cpu;
        long cpuUsed;
        try (DynamicBatcher batcher = DynamicBatcher.start(session::run, opts)) {
            if (async) {
                cpu = processCpuNanos();
                start = System.nanoTime();
                asyncClients(batcher, row, clients, rows, left, answered, failed);
                end = System.nanoTime();
                cpuUsed = processCpuNanos() - cpu;
                stats = batcher.stats();
                return side(rows, answered, failed, stats, start, end, cpu, cpuUsed);
            }
            List<Thread> threads = new ArrayList<>();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(clients);
            for (int c = 0; c < clients; c++) {
                threads.add(new Thread(() -> {
                    // all clients start together, as the hand-made side starts with its batch already built
                    ready.countDown();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    while (left.getAndDecrement() > 0) {
                        try {
                            batcher.submit(row).join();
                            answered.increment();
                        } catch (RuntimeException e) {
                            failed.increment();
                        }
                    }
                }, "jedge-batcher-bench-client-" + c));
            }
            threads.forEach(Thread::start);
            ready.await();
            cpu = processCpuNanos();
            start = System.nanoTime();
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            end = System.nanoTime();
            cpuUsed = processCpuNanos() - cpu;
            stats = batcher.stats();
        }
        return side(rows, answered, failed, stats, start, end, cpu, cpuUsed);
    }

    /**
     * Closed-loop clients without a thread each: every answer's callback (on the batcher's answer thread) submits that
     * client's next request, as an app on the async API does. Returns when all {@code rows} are answered or failed.
     */
    private static void asyncClients(DynamicBatcher batcher, Map<String, Tensor> row, int clients, int rows, AtomicInteger left,
            LongAdder answered, LongAdder failed) throws InterruptedException {
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(rows);
        class Client {
            void next() {
                if (left.getAndDecrement() <= 0) {
                    return;
                }
                CompletableFuture<Map<String, Tensor>> f;
                try {
                    f = batcher.submit(row);
                } catch (RuntimeException e) { // refused: counted, and this client stops
                    failed.increment();
                    finished.countDown();
                    return;
                }
                f.whenComplete((v, e) -> {
                    if (e == null) {
                        answered.increment();
                    } else {
                        failed.increment();
                    }
                    finished.countDown();
                    next();
                });
            }
        }
        for (int c = 0; c < clients; c++) {
            new Client().next();
        }
        finished.await();
    }

    private static Side side(int rows, LongAdder answered, LongAdder failed, BatcherStats stats, long start, long end, long cpu,
            long cpuUsed) {
        // lost: requests the batcher took but never completed in any way, or rows never submitted
        long lost = (rows - stats.submitted()) + stats.submitted() - stats.answered() - stats.failed() - stats.cancelled()
                - stats.timedOut() - stats.failedOnClose();
        if (failed.sum() > 0) {
            throw new IllegalStateException("batcher bench: " + failed.sum() + " of " + rows + " requests failed");
        }
        return new Side(answered.sum() / ((end - start) / 1e9), cpu < 0 ? Double.NaN : answered.sum() / (cpuUsed / 1e9),
                stats.meanBatchSize(), lost);
    }

    /** A ratio, or why there is none: process CPU time needs the jdk.management module, which a trimmed JRE may lack. */
    static String ratioText(double ratio) {
        return Double.isNaN(ratio) ? "n/a (no process CPU time in this JRE)" : String.format(java.util.Locale.ROOT, "%.3fx", ratio);
    }

    /** The lines a benchmark table is made from. */
    public static String resultLine(String variant, String backend, Result r) {
        return String.format(java.util.Locale.ROOT,
                "RESULT batcher variant=%s backend=%s max_batch=%d clients=%d%s rounds=%d rows_per_round=%d ratio_median=%.3f "
                        + "ratio_min=%.3f ratio_max=%.3f cpu_ratio_median=%s lost=%d ratios=%s", variant, backend, r.maxBatch(),
                r.clients(), r.asyncClients() ? " clients_mode=async" : "", r.rounds().size(), r.rowsPerRound(), r.medianRatio(), r.minRatio(), r.maxRatio(),
                Double.isNaN(r.medianCpuRatio()) ? "na" : String.format(java.util.Locale.ROOT, "%.3f", r.medianCpuRatio()), r.lost(),
                Arrays.toString(r.rounds().stream().mapToDouble(x -> Math.round(x.ratio() * 1000) / 1000.0).toArray())
                        .replace(" ", ""));
    }
}
