package io.jedge.runtime.batching;

import io.jedge.sdk.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Throughput and latency of a {@link DynamicBatcher} in front of a CPU batch function whose cost
 * is about {@code a + b * batch} (a plain-Java matmul per row plus a fixed per-call matmul standing
 * in for launch and synchronisation overhead). Not a test; prints Markdown tables:
 *
 * <ul>
 *   <li>the batch function's cost per batch size and the fitted {@code a}, {@code b};
 *   <li>rows/s of hand-made full batches (one thread calling the function on prebuilt batches of
 *       {@code maxBatch}), of unbatched calls, and of the batcher saturated by closed-loop clients;
 *       the ratio batcher / hand-made (issue 6 targets at least 0.9), measured in alternating
 *       rounds because a shared host's load drifts;
 *   <li>throughput and p50/p99 latency against offered load: open-loop Poisson arrivals at
 *       fractions of the hand-made capacity (latency counted from the intended arrival time, so a
 *       late generator does not hide queueing), then closed loops of several client counts.
 * </ul>
 *
 * <p>Run from the repository root:
 *
 * <pre>
 * mvn -q -o -pl jetson-runtime -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp jetson-runtime/target/test-classes:jetson-runtime/target/classes:$(cat jetson-runtime/target/cp.txt) \
 *     io.jedge.runtime.batching.BatcherBenchmark [--seconds 2] [--max-batch 8] [--max-delay-ms 2] [--workers 1] [--threads 64] [--rounds 3]
 * </pre>
 *
 * <p>To measure a real model, replace {@link CostFunction} with a {@link BatchFunction} over an
 * ONNX Runtime session and {@link #request(Random)} with its input. Numbers depend on the host;
 * do not commit them as results.
 */
public final class BatcherBenchmark {
    private static final int K = 384;
    private static final int M = 384;
    private static final int FIXED = 64;

    private BatcherBenchmark() {}

    /** y = x W (row by row) + c, where c comes from a fixed FIXED^3 matmul done once per call. */
    static final class CostFunction implements BatchFunction {
        private final float[] w = new float[K * M];
        private final float[] fa = new float[FIXED * FIXED];
        private final float[] fb = new float[FIXED * FIXED];

        CostFunction() {
            Random rnd = new Random(3);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian() / 16;
            }
            for (int i = 0; i < fa.length; i++) {
                fa[i] = (float) rnd.nextGaussian();
                fb[i] = (float) rnd.nextGaussian();
            }
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs) {
            Tensor x = inputs.get("x");
            int n = (int) x.dim(0);
            float c = fixedCost();
            float[] a = x.floats();
            float[] y = new float[n * M];
            for (int r = 0; r < n; r++) {
                int yo = r * M;
                for (int k = 0; k < K; k++) {
                    float v = a[r * K + k];
                    int wo = k * M;
                    for (int j = 0; j < M; j++) {
                        y[yo + j] += v * w[wo + j];
                    }
                }
                for (int j = 0; j < M; j++) {
                    y[yo + j] += c;
                }
            }
            return Map.of("y", Tensor.ofFloats(new long[] {n, M}, y));
        }

        private float fixedCost() {
            float trace = 0;
            float[] row = new float[FIXED];
            for (int i = 0; i < FIXED; i++) {
                Arrays.fill(row, 0);
                for (int k = 0; k < FIXED; k++) {
                    float v = fa[i * FIXED + k];
                    for (int j = 0; j < FIXED; j++) {
                        row[j] += v * fb[k * FIXED + j];
                    }
                }
                trace += row[i];
            }
            return trace * 1e-9f;
        }
    }

    static Map<String, Tensor> request(Random rnd) {
        float[] x = new float[K];
        for (int i = 0; i < K; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return Map.of("x", Tensor.ofFloats(new long[] {1, K}, x));
    }

    private record Config(double seconds, int maxBatch, Duration maxDelay, int workers, int threads, int rounds) {}

    private record LoadPoint(String load, double offered, double achieved, double p50Ms, double p99Ms, double meanBatch,
            long rejected) {}

    public static void main(String[] args) throws Exception {
        Config cfg = parse(args);
        CostFunction fn = new CostFunction();
        Random rnd = new Random(1);

        System.out.printf(Locale.ROOT, "# DynamicBatcher benchmark%n%n");
        System.out.printf(Locale.ROOT, "Host: %s, %d CPUs, Java %s. Settings: maxBatch %d, maxDelay %s, workers %d, %.1f s per point.%n%n",
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                cfg.maxBatch, cfg.maxDelay, cfg.workers, cfg.seconds);

        // Cost of the batch function per batch size (median of repeated calls, after warm-up).
        System.out.printf("## Batch function cost%n%n| batch | ms per call | ms per row |%n|---:|---:|---:|%n");
        double[] cost = new double[cfg.maxBatch + 1];
        for (int n = 1; n <= cfg.maxBatch; n = n < cfg.maxBatch && n * 2 > cfg.maxBatch ? cfg.maxBatch : n * 2) {
            cost[n] = medianCallMs(fn, batch(rnd, n), 0.4);
            System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f |%n", n, cost[n], cost[n] / n);
        }
        double b = cfg.maxBatch > 1 ? (cost[cfg.maxBatch] - cost[1]) / (cfg.maxBatch - 1) : cost[1];
        double a = cost[1] - b;
        System.out.printf(Locale.ROOT, "%nFitted cost: a = %.3f ms per call, b = %.3f ms per row.%n%n", a, b);

        // Hand-made full batches and the saturated batcher, alternated so that drift in the host's
        // load (other processes, JIT, frequency) hits both alike; the ratio is the median of the rounds.
        double unbatched = handMadeRowsPerSecond(fn, batch(rnd, 1), cfg);
        double[] handMade = new double[cfg.rounds];
        double[] batcher = new double[cfg.rounds];
        double[] ratios = new double[cfg.rounds];
        LoadPoint saturated = null;
        for (int r = 0; r < cfg.rounds; r++) {
            handMade[r] = handMadeRowsPerSecond(fn, batch(rnd, cfg.maxBatch), cfg);
            saturated = closedLoop(fn, cfg, cfg.threads);
            batcher[r] = saturated.achieved;
            ratios[r] = batcher[r] / handMade[r];
        }
        double capacity = median(handMade);
        double ratio = median(ratios);

        List<LoadPoint> points = new ArrayList<>();
        for (double fraction : new double[] {0.1, 0.25, 0.5, 0.75, 0.9, 1.1}) {
            points.add(openLoop(fn, cfg, fraction * capacity, String.format(Locale.ROOT, "open loop, %.0f%% of capacity", fraction * 100)));
        }
        for (int c : new int[] {1, cfg.maxBatch, 2 * cfg.maxBatch}) {
            if (c != cfg.threads) {
                points.add(closedLoop(fn, cfg, c));
            }
        }
        points.add(saturated);

        System.out.printf("## Throughput against hand-made full batches%n%n"
                + "| round | hand-made full batches of %d, rows/s | batcher, closed loop, %d clients, rows/s | × hand-made |%n"
                + "|---:|---:|---:|---:|%n", cfg.maxBatch, cfg.threads);
        for (int r = 0; r < cfg.rounds; r++) {
            System.out.printf(Locale.ROOT, "| %d | %.0f | %.0f | %.2f |%n", r + 1, handMade[r], batcher[r], ratios[r]);
        }
        System.out.printf(Locale.ROOT, "%nUnbatched calls (batch 1), %d thread(s): %.0f rows/s (%.2f× hand-made).%n",
                cfg.workers, unbatched, unbatched / capacity);
        System.out.printf(Locale.ROOT, "Batcher at saturation: median %.2f× hand-made full batches (issue 6 target ≥ 0.90×: %s).%n%n",
                ratio, ratio >= 0.895 ? "met" : "NOT met");

        System.out.printf("## Latency against offered load%n%n"
                + "| load | offered req/s | achieved req/s | p50 ms | p99 ms | mean batch | rejected |%n"
                + "|---|---:|---:|---:|---:|---:|---:|%n");
        for (LoadPoint p : points) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %d |%n", p.load,
                    Double.isNaN(p.offered) ? "—" : String.format(Locale.ROOT, "%.0f", p.offered), p.achieved, p.p50Ms, p.p99Ms,
                    p.meanBatch, p.rejected);
        }
    }

    private static Config parse(String[] args) {
        double seconds = 2;
        int maxBatch = 8;
        double delayMs = 2;
        int workers = 1;
        int threads = 64;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(need(args[i], v));
                case "--max-batch" -> maxBatch = Integer.parseInt(need(args[i], v));
                case "--max-delay-ms" -> delayMs = Double.parseDouble(need(args[i], v));
                case "--workers" -> workers = Integer.parseInt(need(args[i], v));
                case "--threads" -> threads = Integer.parseInt(need(args[i], v));
                case "--rounds" -> rounds = Integer.parseInt(need(args[i], v));
                default -> throw new IllegalArgumentException("unknown option '" + args[i]
                        + "', expected --seconds, --max-batch, --max-delay-ms, --workers, --threads or --rounds");
            }
            i++;
        }
        if (seconds <= 0 || maxBatch < 1 || delayMs < 0 || workers < 1 || threads < 1 || rounds < 1) {
            throw new IllegalArgumentException("options out of range: seconds " + seconds + ", max-batch " + maxBatch
                    + ", max-delay-ms " + delayMs + ", workers " + workers + ", threads " + threads + ", rounds " + rounds);
        }
        return new Config(seconds, maxBatch, Duration.ofNanos((long) (delayMs * 1e6)), workers, threads, rounds);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String need(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException("option " + option + " needs a value");
        }
        return value;
    }

    private static BatcherOptions options(Config cfg) {
        return BatcherOptions.builder().name("bench").maxBatch(cfg.maxBatch).maxDelay(cfg.maxDelay).workers(cfg.workers)
                .queueCapacity(1 << 16).whenFull(FullQueuePolicy.REJECT).build();
    }

    private static Map<String, Tensor> batch(Random rnd, int n) {
        List<Tensor> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(request(rnd).get("x"));
        }
        return Map.of("x", Tensor.concatBatch(rows));
    }

    private static double medianCallMs(BatchFunction fn, Map<String, Tensor> in, double seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Long> times = new ArrayList<>();
        int calls = 0;
        while (System.nanoTime() < end || calls < 5) {
            long t0 = System.nanoTime();
            fn.run(in);
            long t = System.nanoTime() - t0;
            if (calls++ >= 3) {
                times.add(t);
            }
        }
        times.sort(null);
        return times.get(times.size() / 2) / 1e6;
    }

    /** Rows per second of {@code cfg.workers} threads calling the function on a prebuilt batch. */
    private static double handMadeRowsPerSecond(BatchFunction fn, Map<String, Tensor> in, Config cfg) throws Exception {
        int rows = (int) in.get("x").dim(0);
        medianCallMs(fn, in, 0.3); // warm-up
        LongAdder done = new LongAdder();
        long start = System.nanoTime();
        long end = start + (long) (cfg.seconds * 1e9);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < cfg.workers; t++) {
            Thread th = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        fn.run(in);
                        done.add(rows);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        return done.sum() / ((System.nanoTime() - start) / 1e9);
    }

    /** Poisson arrivals at {@code rate} req/s for cfg.seconds; latency from each intended arrival time. */
    private static LoadPoint openLoop(BatchFunction fn, Config cfg, double rate, String label) throws Exception {
        Random rnd = new Random(11);
        List<Map<String, Tensor>> pool = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            pool.add(request(rnd));
        }
        LatencyHistogram latency = new LatencyHistogram();
        LongAdder completed = new LongAdder();
        AtomicLong lastCompletion = new AtomicLong();
        long rejected = 0;
        BatcherStats stats;
        BatcherStats warm;
        long start;
        try (DynamicBatcher b = DynamicBatcher.start(fn, options(cfg))) {
            warm = warmUp(b, pool);
            start = System.nanoTime();
            long end = start + (long) (cfg.seconds * 1e9);
            double next = start;
            int i = 0;
            List<CompletableFuture<?>> pending = new ArrayList<>();
            while (next < end) {
                long intended = (long) next;
                // Park rather than spin: the generator must not take a core from the worker. A late
                // wake-up only delays the submit; latency still counts from the intended time.
                long wait;
                while ((wait = intended - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                try {
                    pending.add(b.submit(pool.get(i++ & 255)).whenComplete((v, e) -> {
                        long now = System.nanoTime();
                        latency.record(now - intended);
                        completed.increment();
                        lastCompletion.accumulateAndGet(now, Math::max);
                    }));
                } catch (RejectedExecutionException e) {
                    rejected++;
                }
                next += -Math.log(1 - rnd.nextDouble()) / rate * 1e9;
            }
            for (CompletableFuture<?> f : pending) {
                f.get(5, TimeUnit.MINUTES);
            }
            stats = b.stats();
        }
        double elapsed = (Math.max(lastCompletion.get(), start + (long) (cfg.seconds * 1e9)) - start) / 1e9;
        return new LoadPoint(label, rate, completed.sum() / elapsed, latency.percentile(0.5) / 1e6,
                latency.percentile(0.99) / 1e6, measuredMeanBatch(stats, warm), rejected);
    }

    /** {@code clients} threads, each submitting and waiting in turn, for cfg.seconds. */
    private static LoadPoint closedLoop(BatchFunction fn, Config cfg, int clients) throws Exception {
        Random rnd = new Random(13);
        List<Map<String, Tensor>> pool = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            pool.add(request(rnd));
        }
        LatencyHistogram latency = new LatencyHistogram();
        LongAdder completed = new LongAdder();
        BatcherStats stats;
        BatcherStats warm;
        long start;
        long stop;
        try (DynamicBatcher b = DynamicBatcher.start(fn, options(cfg))) {
            warm = warmUp(b, pool);
            start = System.nanoTime();
            long end = start + (long) (cfg.seconds * 1e9);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                int seed = t;
                Thread th = new Thread(() -> {
                    int i = seed;
                    try {
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            b.submit(pool.get(i++ & 255)).get();
                            latency.record(System.nanoTime() - t0);
                            completed.increment();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                ts.add(th);
                th.start();
            }
            for (Thread th : ts) {
                th.join();
            }
            stop = System.nanoTime();
            stats = b.stats();
        }
        return new LoadPoint("closed loop, " + clients + " client threads", Double.NaN, completed.sum() / ((stop - start) / 1e9),
                latency.percentile(0.5) / 1e6, latency.percentile(0.99) / 1e6, measuredMeanBatch(stats, warm), 0);
    }

    /** Runs 200 requests through the batcher and returns its stats afterwards. */
    private static BatcherStats warmUp(DynamicBatcher b, List<Map<String, Tensor>> pool) throws Exception {
        List<CompletableFuture<?>> fs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            fs.add(b.submit(pool.get(i & 255)));
        }
        for (CompletableFuture<?> f : fs) {
            f.get(1, TimeUnit.MINUTES);
        }
        return b.stats();
    }

    /** Mean batch size of the measured run: the warm-up's batches are subtracted. */
    private static double measuredMeanBatch(BatcherStats s, BatcherStats warm) {
        long rows = 0;
        long n = 0;
        for (var e : s.batchSizes().entrySet()) {
            long before = warm.batchSizes().getOrDefault(e.getKey(), 0L);
            rows += (long) e.getKey() * (e.getValue() - before);
            n += e.getValue() - before;
        }
        return n == 0 ? 0 : (double) rows / n;
    }
}
