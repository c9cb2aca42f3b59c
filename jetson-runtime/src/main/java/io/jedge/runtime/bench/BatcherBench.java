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
 * batches (one thread calling {@code run} on a prebuilt batch of {@code maxBatch} rows) with a
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

    /** One round: rows per second of each side, and requests not answered. */
    public record Round(double handMadeRowsPerSec, double batcherRowsPerSec, double meanBatch, long lost) {
        public double ratio() {
            return batcherRowsPerSec / handMadeRowsPerSec;
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

        public long lost() {
            return rounds.stream().mapToLong(Round::lost).sum();
        }
    }

    /**
     * @param row      one request: every input with batch 1
     * @param seconds  about how long one side of one round takes (sets the rows per round)
     * @param progress one line per round
     */
    public static Result run(InferenceSession session, Map<String, Tensor> row, int maxBatch, Duration maxDelay, int clients,
            int rounds, double seconds, Consumer<String> progress) throws InterruptedException {
        if (maxBatch < 2 || clients < 1 || rounds < 1 || !(seconds > 0)) {
            throw new IllegalArgumentException("batcher bench: maxBatch " + maxBatch + " (expected 2 or more), clients "
                    + clients + ", rounds " + rounds + ", seconds " + seconds + " (expected positive)");
        }
        Map<String, Tensor> full = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : row.entrySet()) {
            full.put(e.getKey(), Tensor.concatBatch(Collections.nCopies(maxBatch, e.getValue())));
        }
        // Warm both paths, then size the round from the hand-made batch time.
        for (int i = 0; i < 3; i++) {
            session.run(full);
        }
        long t0 = System.nanoTime();
        session.run(full);
        double batchSec = Math.max((System.nanoTime() - t0) / 1e9, 1e-5);
        int batchesPerRound = (int) Math.max(4, Math.min(100_000, seconds / batchSec));
        int rowsPerRound = batchesPerRound * maxBatch;
        batcherRound(session, row, maxBatch, maxDelay, clients, Math.min(rowsPerRound, 4 * maxBatch * clients));
        List<Round> out = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            double hand;
            Round b;
            if (r % 2 == 0) {
                hand = handMade(session, full, batchesPerRound, maxBatch);
                b = batcherRound(session, row, maxBatch, maxDelay, clients, rowsPerRound);
            } else {
                b = batcherRound(session, row, maxBatch, maxDelay, clients, rowsPerRound);
                hand = handMade(session, full, batchesPerRound, maxBatch);
            }
            Round round = new Round(hand, b.batcherRowsPerSec(), b.meanBatch(), b.lost());
            out.add(round);
            progress.accept(String.format(java.util.Locale.ROOT,
                    "round %d: hand-made %.1f rows/s, batcher %.1f rows/s (mean batch %.2f), %.3fx, lost %d", r + 1,
                    round.handMadeRowsPerSec(), round.batcherRowsPerSec(), round.meanBatch(), round.ratio(), round.lost()));
        }
        return new Result(maxBatch, clients, rowsPerRound, List.copyOf(out));
    }

    private static double handMade(InferenceSession session, Map<String, Tensor> full, int batches, int maxBatch) {
        long start = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            session.run(full);
        }
        return (double) batches * maxBatch / ((System.nanoTime() - start) / 1e9);
    }

    private static Round batcherRound(InferenceSession session, Map<String, Tensor> row, int maxBatch, Duration maxDelay,
            int clients, int rows) throws InterruptedException {
        BatcherOptions opts = BatcherOptions.builder().name("bench").maxBatch(maxBatch).maxDelay(maxDelay).workers(1)
                .queueCapacity(Math.max(clients * 2, 16)).whenFull(FullQueuePolicy.BLOCK).build();
        AtomicInteger left = new AtomicInteger(rows);
        LongAdder answered = new LongAdder();
        LongAdder failed = new LongAdder();
        BatcherStats stats;
        long start;
        long end;
        try (DynamicBatcher batcher = DynamicBatcher.start(session::run, opts)) {
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                threads.add(new Thread(() -> {
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
            start = System.nanoTime();
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            end = System.nanoTime();
            stats = batcher.stats();
        }
        // lost: requests the batcher took but never completed in any way, or rows never submitted
        long lost = (rows - stats.submitted()) + stats.submitted() - stats.answered() - stats.failed() - stats.cancelled()
                - stats.timedOut() - stats.failedOnClose();
        if (failed.sum() > 0) {
            throw new IllegalStateException("batcher bench: " + failed.sum() + " of " + rows + " requests failed");
        }
        return new Round(Double.NaN, answered.sum() / ((end - start) / 1e9), stats.meanBatchSize(), lost);
    }

    /** The lines a benchmark table is made from. */
    public static String resultLine(String variant, String backend, Result r) {
        return String.format(java.util.Locale.ROOT,
                "RESULT batcher variant=%s backend=%s max_batch=%d clients=%d rounds=%d rows_per_round=%d ratio_median=%.3f "
                        + "ratio_min=%.3f ratio_max=%.3f lost=%d ratios=%s", variant, backend, r.maxBatch(), r.clients(),
                r.rounds().size(), r.rowsPerRound(), r.medianRatio(), r.minRatio(), r.maxRatio(), r.lost(),
                Arrays.toString(r.rounds().stream().mapToDouble(x -> Math.round(x.ratio() * 1000) / 1000.0).toArray())
                        .replace(" ", ""));
    }
}
