package io.jedge.cli;

import io.jedge.runtime.backend.trt.build.EngineCache;
import io.jedge.runtime.backend.trt.build.TrtBuildOptions;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jedge build-engines}: TensorRT engines for this device from a bundle's ONNX variants, cached in the bundle. */
@Command(name = "build-engines", description = {
        "Build TensorRT engines for this device from a bundle's ONNX variants and record them in the bundle.",
        "Engines already built for this TensorRT, GPU and CUDA are kept; missing or stale ones are (re)built.",
        "Jedge.load does the same on first load unless LoadOptions.buildEngines(false)."})
final class BuildEnginesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE", description = "The bundle directory.")
    Path bundleDir;

    @Option(names = "--precision", split = ",", paramLabel = "P", description = "Only these precisions (fp32, fp16, int8); default all.")
    List<String> precisions;

    @Option(names = "--engine-batch", paramLabel = "MIN:OPT:MAX",
            description = "Optimization profile for the dynamic batch (default: the variant's range, at most 32).")
    String batch;

    @Option(names = "--workspace", paramLabel = "MB", defaultValue = "1024", description = "Builder workspace limit (default ${DEFAULT-VALUE} MiB).")
    long workspace;

    @Option(names = "--timing-cache", paramLabel = "FILE", description = "Persistent TensorRT timing cache to reuse and update.")
    Path timingCache;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Set<Precision> wanted = EnumSet.noneOf(Precision.class);
        if (precisions != null) {
            precisions.forEach(p -> wanted.add(Precision.parse(p.trim())));
        }
        Bundle bundle = Bundle.load(bundleDir);
        // engines take minutes to build and are written into the bundle: check the places first
        io.jedge.sdk.AtomicFiles.requireWritable("bundle " + bundle.dir() + " (engines are written into it)", bundle.manifestFile());
        if (timingCache != null) {
            io.jedge.sdk.AtomicFiles.requireWritable("--timing-cache " + timingCache, timingCache);
        }
        Predicate<Variant> which = v -> wanted.isEmpty() || wanted.contains(v.precision());
        Optional<Variant> first = bundle.manifest().variants().stream()
                .filter(v -> v.format() == VariantFormat.ONNX && which.test(v)).findFirst();
        if (first.isEmpty()) {
            throw new IllegalArgumentException("bundle " + bundle.dir() + ": no ONNX variant" + (wanted.isEmpty() ? "" : " with precision "
                    + wanted.stream().map(Precision::id).toList()) + ", expected at least one to build an engine from");
        }
        Optional<String> why = EngineCache.unavailableReason();
        if (why.isPresent()) {
            throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "cannot build engines here: " + why.get());
        }
        TrtBuildOptions.Builder o = TrtBuildOptions.builder().workspaceMiB(workspace).timingCache(timingCache);
        if (batch != null) {
            o.batch(batch);
        } else {
            int[] b = EngineCache.defaultBatch(first.get());
            o.batch(b[0], b[1], b[2]);
        }
        EngineCache.Result r = new EngineCache(o.build(), l -> {
            out.println(l);
            out.flush();
        }).ensure(bundle, which, true); // asked for explicitly: retry what failed before
        for (EngineCache.Outcome x : r.outcomes()) {
            out.printf(Locale.ROOT, "%-26s %-10s %s%n", x.engine(), x.status().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    x.detail());
        }
        out.println("bundle " + r.bundle().dir() + (r.changed() ? ": engines recorded" : ": nothing to build"));
        out.flush();
        return r.outcomes().stream().anyMatch(x -> x.status() == EngineCache.Status.FAILED) ? 1 : 0;
    }
}
