package io.jedge.runtime.bench;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.batching.BatcherOptions;
import io.jedge.runtime.batching.BatcherStats;
import io.jedge.runtime.batching.DynamicBatcher;
import io.jedge.runtime.batching.FullQueuePolicy;
import io.jedge.sdk.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    public record Result(int maxBatch, int clients, int rowsPerRound, List<Round> rounds) {
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
     * What one batcher benchmark runs. Checked on construction, so a bad value fails before a bundle
     * is read or a session opened ({@link BenchOptionException}, naming the component).
     *
     * @param maxBatch the batcher's largest batch and the hand-made side's batch, 2..{@value BundleBenchOptions#MAX_BATCH}
     * @param maxDelay how long the batcher waits to fill a batch, 0 or more
     * @param clients  closed-loop client threads, 1..{@value #MAX_CLIENTS}
     * @param rounds   alternating rounds, 1..{@value #MAX_ROUNDS}
     * @param seconds  about how long one side of one round takes (sets the rows per round), as {@link BundleBenchOptions#check}
     */
    public record Plan(int maxBatch, Duration maxDelay, int clients, int rounds, double seconds) {
        public static final int MAX_CLIENTS = 1024;
        public static final int MAX_ROUNDS = 100;
        public static final Duration DEFAULT_DELAY = Duration.ofMillis(2);

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
            BundleBenchOptions.check(List.of(), seconds);
        }

        /** The default 2 ms delay; {@code clients} null: twice the maximum batch, at most {@value #MAX_CLIENTS}. */
        public static Plan of(int maxBatch, Integer clients, int rounds, double seconds) {
            return new Plan(maxBatch, DEFAULT_DELAY, clients != null ? clients : Math.min(2 * maxBatch, MAX_CLIENTS), rounds, seconds);
        }
    }

    /**
     * @param row      one request: every input with batch 1
     * @param progress one line per round
     */
    public static Result run(InferenceSession session, Map<String, Tensor> row, Plan plan, Consumer<String> progress)
            throws InterruptedException {
        int maxBatch = plan.maxBatch();
        Duration maxDelay = plan.maxDelay();
        int clients = plan.clients();
        int rounds = plan.rounds();
        double seconds = plan.seconds();
        // The strongest hand-made baseline: one prebuilt full batch in direct memory, which backends read
        // without a copy, as the batcher's staging is.
        Map<String, Tensor> full = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : row.entrySet()) {
            full.put(e.getKey(), Tensor.concatBatch(Collections.nCopies(maxBatch, e.getValue())).toDirect());
        }
        // Warm both paths, then size the round from the hand-made batch time.
        for (int i = 0; i < 3; i++) {
            session.run(full);
        }
        double[] calls = new double[5]; // the median of five sizes the rounds: one slow call on a shared host would not
        for (int i = 0; i < calls.length; i++) {
            long t0 = System.nanoTime();
            session.run(full);
            calls[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(calls);
        double batchSec = Math.max(calls[calls.length / 2], 1e-5);
        int batchesPerRound = (int) Math.max(16, Math.min(100_000, seconds / batchSec)); // 16+: the first and last batch weigh little
        int rowsPerRound = batchesPerRound * maxBatch;
        // one whole uncounted round of each side first: shorter warm-ups left round 1 running code not yet compiled
        // (it was the lowest round of every run in benchmarks/batching-cpu-2026-12-03-run2.md)
        handMade(session, full, batchesPerRound, maxBatch);
        batcherRound(session, row, maxBatch, maxDelay, clients, rowsPerRound);
        List<Round> out = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Side hand;
            Side b;
            if (r % 2 == 0) {
                hand = handMade(session, full, batchesPerRound, maxBatch);
                b = batcherRound(session, row, maxBatch, maxDelay, clients, rowsPerRound);
            } else {
                b = batcherRound(session, row, maxBatch, maxDelay, clients, rowsPerRound);
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
        return new Result(maxBatch, clients, rowsPerRound, List.copyOf(out));
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
            int clients, int rows) throws InterruptedException {
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
                "RESULT batcher variant=%s backend=%s max_batch=%d clients=%d rounds=%d rows_per_round=%d ratio_median=%.3f "
                        + "ratio_min=%.3f ratio_max=%.3f cpu_ratio_median=%s lost=%d ratios=%s", variant, backend, r.maxBatch(),
                r.clients(), r.rounds().size(), r.rowsPerRound(), r.medianRatio(), r.minRatio(), r.maxRatio(),
                Double.isNaN(r.medianCpuRatio()) ? "na" : String.format(java.util.Locale.ROOT, "%.3f", r.medianCpuRatio()), r.lost(),
                Arrays.toString(r.rounds().stream().mapToDouble(x -> Math.round(x.ratio() * 1000) / 1000.0).toArray())
                        .replace(" ", ""));
    }
}
