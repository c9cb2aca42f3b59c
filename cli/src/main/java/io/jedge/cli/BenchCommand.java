package io.jedge.cli;

import com.google.gson.GsonBuilder;
import io.jedge.cli.options.DeviceFlags;
import io.jedge.runtime.bench.BatcherBench;
import io.jedge.cli.options.BenchFlags;
import io.jedge.runtime.bench.BenchOptionException;
import io.jedge.runtime.bench.BundleBench;
import io.jedge.runtime.bench.BundleBenchOptions;
import io.jedge.runtime.bench.LatencyBench;
import io.jedge.runtime.model.Environment;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.sdk.bundle.Bundle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "bench", description = "Measure latency p50/p90/p95/p99 and throughput of a bundle's variants, with the "
        + "host-to-device/compute/device-to-host split on TensorRT, and record them in the bundle.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE")
    Path bundleDir;

    @Option(names = "--batch", split = ",", defaultValue = "1,8", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--seconds", defaultValue = "3", description = "Timed seconds per variant and batch (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--variants", split = ",", description = "Variant ids (default: all this machine can run).")
    List<String> variants;

    @Mixin
    DeviceFlags.Threads threads;

    @Option(names = "--io", split = ",", defaultValue = "heap", description = "How tensors reach the backend: heap "
            + "(float[] through run, the app API's path) and/or direct (the backend's pinned/mapped memory through runInto); "
            + "the first one's figures are recorded (default ${DEFAULT-VALUE}).")
    List<String> ioNames;

    @Option(names = "--cuda-graphs", description = "TensorRT: replay each call as a captured CUDA graph (engines with one "
            + "input shape only); other variants are skipped.")
    boolean cudaGraphs;

    @Option(names = "--batcher", paramLabel = "MAX_BATCH", description = "Instead of latency: the dynamic batcher with this "
            + "maximum batch, fed one-row requests by --clients closed-loop clients, against hand-made full batches, in "
            + "--rounds alternating rounds of the same work (about --seconds each); prints each round and a RESULT line.")
    Integer batcherMaxBatch;

    @Option(names = "--clients", description = "With --batcher: client threads (default: twice the maximum batch, at most 1024).")
    Integer clients;

    @Option(names = "--rounds", defaultValue = "5", description = "With --batcher: rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--async-clients", description = "With --batcher: each client submits its next request from the previous "
            + "answer's callback (an app on the async API) instead of blocking a thread on it.")
    boolean asyncClients;

    @Option(names = "--open-loop", paramLabel = "RATE", split = ",", description = "With --batcher, instead of the closed-loop "
            + "comparison: latency p50/p90/p99 at each offered load, one-row requests arriving at RATE per second (Poisson, "
            + "not waiting for answers) for --seconds each; e.g. --open-loop 50,100,200.")
    List<Double> openLoopRates;

    @Option(names = "--json", description = "Print results as JSON.")
    boolean json;

    @Option(names = "--no-record", description = "Do not store the figures in the bundle.")
    boolean noRecord;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        BatcherBench.Plan plan = checkOptions();
        if (plan != null) {
            return batcher(out, plan);
        }
        BundleBench.Tuning tuning = new BundleBench.Tuning(ioPaths(ioNames), cudaGraphs);
        Bundle bundle = Bundle.load(bundleDir);
        if (!noRecord) { // the figures go into bundle.json after all the timing: find out now if they cannot
            io.jedge.sdk.AtomicFiles.requireWritable("bundle " + bundle.dir() + " (bench records its figures in it; --no-record "
                    + "measures without recording)", bundle.manifestFile());
        }
        DeviceContext ctx = Environment.detect(io.jedge.sdk.LoadOptions.defaults()).current();
        BundleBench.Outcome r = BundleBench.run(bundle, BundleBenchOptions.builder(ctx).variants(variants).batches(batches).seconds(seconds)
                .threads(threads.threads()).record(!noRecord).tuning(tuning).build(), line -> {
            if (!json) {
                out.println(line);
                out.flush();
            }
        });
        if (json) {
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(Map.of("device", ctx.describe(), "results", r.rows())));
        } else if (!noRecord && !r.rows().isEmpty()) {
            out.println("figures recorded in " + r.bundle().manifestFile() + " for " + ctx.describe());
        }
        out.flush();
        return r.rows().isEmpty() ? 1 : 0;
    }

    private int batcher(java.io.PrintWriter out, BatcherBench.Plan plan) throws Exception {
        int measured = BundleBench.batcher(Bundle.load(bundleDir), variants, threads.threads(), plan, line -> {
            out.println(line);
            out.flush();
        });
        return measured == 0 ? 1 : 0;
    }

    /** The library's error worded with this command's flag, so the user reads the name they typed. */
    static IllegalArgumentException withFlag(BenchOptionException e) {
        return e.renamed(BenchFlags.flag(e.parameter()));
    }

    static List<LatencyBench.Io> ioPaths(List<String> names) {
        List<LatencyBench.Io> out = new java.util.ArrayList<>();
        for (String n : names) {
            LatencyBench.Io p = switch (n.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "heap" -> LatencyBench.Io.HEAP;
                case "direct" -> LatencyBench.Io.DIRECT;
                default -> throw new IllegalArgumentException("--io " + n + ", expected heap, direct or heap,direct");
            };
            if (out.contains(p)) {
                throw new IllegalArgumentException("--io names " + n + " twice");
            }
            out.add(p);
        }
        return out;
    }

    /**
     * Refuses absurd options at once, before the bundle is hashed or a session opened.
     *
     * @return the batcher benchmark's plan with {@code --batcher}, else null
     */
    private BatcherBench.Plan checkOptions() {
        BatcherBench.Plan plan = null;
        try {
            BundleBenchOptions.check(batches, seconds, threads.threads());
            if (batcherMaxBatch != null) {
                plan = BatcherBench.Plan.of(batcherMaxBatch, clients, rounds, seconds); // its constructor checks the values
                if (openLoopRates != null) {
                    plan = plan.withOpenLoop(openLoopRates);
                }
                if (asyncClients) {
                    plan = plan.withAsyncClients(true);
                }
            }
        } catch (BenchOptionException e) {
            throw withFlag(e);
        }
        boolean roundsGiven = spec.commandLine().getParseResult().hasMatchedOption("--rounds");
        if (batcherMaxBatch != null) {
            if (json || cudaGraphs || noRecord || !ioNames.equals(List.of("heap"))
                    || spec.commandLine().getParseResult().hasMatchedOption("--batch")) {
                throw new IllegalArgumentException("--batcher measures the heap path on every backend and records nothing; it takes no "
                        + "--json, --cuda-graphs, --no-record, --io or --batch (the maximum batch is --batcher's value)");
            }
            if (openLoopRates != null && (clients != null || roundsGiven)) {
                throw new IllegalArgumentException("--open-loop sends requests at fixed rates, with no clients or rounds; "
                        + "drop --clients and --rounds, or --open-loop for the closed-loop comparison");
            }
        } else if (clients != null || roundsGiven || openLoopRates != null || asyncClients) {
            throw new IllegalArgumentException("--clients, --rounds, --async-clients and --open-loop apply to --batcher only");
        }
        return plan;
    }
}
