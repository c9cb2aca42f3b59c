package io.jedge.cli;

import com.google.gson.GsonBuilder;
import io.jedge.runtime.bench.BundleBench;
import io.jedge.runtime.bench.BundleBenchOptions;
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

@Command(name = "bench", description = "Measure latency p50/p95 and throughput of a bundle's variants and record them in the bundle.")
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

    @Option(names = "--json", description = "Print results as JSON.")
    boolean json;

    @Option(names = "--no-record", description = "Do not store the figures in the bundle.")
    boolean noRecord;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        checkOptions();
        Bundle bundle = Bundle.load(bundleDir);
        if (!noRecord) { // the figures go into bundle.json after all the timing: find out now if they cannot
            io.jedge.sdk.AtomicFiles.requireWritable("bundle " + bundle.dir() + " (bench records its figures in it; --no-record "
                    + "measures without recording)", bundle.manifestFile());
        }
        DeviceContext ctx = Environment.detect(io.jedge.sdk.LoadOptions.defaults()).current();
        BundleBench.Outcome r = BundleBench.run(bundle, BundleBenchOptions.builder(ctx).variants(variants).batches(batches).seconds(seconds)
                .threads(threads.threads).record(!noRecord).build(), line -> {
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

    /** Refuses absurd options at once, before the bundle is hashed or a session opened. */
    private void checkOptions() {
        BundleBenchOptions.check(batches, seconds);
        if (threads.threads < 0 || threads.threads > io.jedge.sdk.LoadOptions.MAX_THREADS) {
            throw new IllegalArgumentException("--threads " + threads.threads + ", expected 0 (all cores) to "
                    + io.jedge.sdk.LoadOptions.MAX_THREADS);
        }
    }
}
