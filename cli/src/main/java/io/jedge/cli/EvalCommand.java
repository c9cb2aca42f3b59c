package io.jedge.cli;

import io.jedge.cli.options.DeviceFlags;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.TensorFiles;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.vision.Ranking;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Top-1/top-5 accuracy of every variant of a classifier bundle on labelled data the user has:
 * the check that an approximate variant (INT8, FP16, ELFATT-SD) still classifies like FP32.
 */
@Command(name = "eval", description = "Top-1/top-5 accuracy of each variant on labelled inputs (.npy or .f32 samples, .npy or text labels).")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE")
    Path bundleDir;

    @Option(names = "--inputs", required = true, paramLabel = "FILE", description = "Samples: .npy (any float or int dtype) or "
            + "raw little-endian float32 .f32 of whole samples in the model's input layout.")
    Path inputs;

    @Option(names = "--labels", required = true, paramLabel = "FILE", description = "Class index per sample: .npy of integers, "
            + "or a text file with one integer per line.")
    Path labels;

    @Option(names = "--variants", split = ",", description = "Variant ids (default: every model variant).")
    List<String> variants;

    @Mixin
    DeviceFlags.Threads threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InputFiles.require("--inputs " + inputs, inputs, ".npy or .f32 samples");
        InputFiles.require("--labels " + labels, labels, ".npy of integers or one class index per line");
        Bundle bundle = Bundle.load(bundleDir);
        List<TensorSpec> ins = bundle.manifest().inputs();
        if (ins.size() != 1) {
            throw new IllegalArgumentException("eval takes one-input models; " + bundleDir + " has inputs "
                    + ins.stream().map(TensorSpec::name).toList());
        }
        TensorSpec in = ins.get(0);
        long[] shape = in.shapeArray();
        Tensor x = TensorFiles.read(inputs, Arrays.copyOfRange(shape, 1, shape.length));
        long[] y = readLabels(labels);
        if (x.dim(0) != y.length) {
            throw new IllegalArgumentException(inputs + " holds " + x.dim(0) + " samples but " + labels + " holds " + y.length + " labels");
        }
        // before any variant loads or runs: a class the model cannot output is a wrong labels file
        List<Long> out0 = bundle.manifest().outputs().isEmpty() ? List.of() : bundle.manifest().outputs().get(0).shape();
        long modelClasses = out0.isEmpty() ? -1 : out0.get(out0.size() - 1);
        for (int i = 0; modelClasses > 0 && i < y.length; i++) {
            if (y[i] < 0 || y[i] >= modelClasses) {
                throw new IllegalArgumentException("--labels " + labels + ": label " + (i + 1) + " is class " + y[i] + ", expected 0 to "
                        + (modelClasses - 1) + " (the model has " + modelClasses + " classes)");
            }
        }
        List<Variant> chosen = bundle.manifest().variants(Role.MODEL);
        if (variants != null) {
            variants.forEach(id -> io.jedge.runtime.selection.VariantSelector.requireKnownVariant(bundle.manifest(), id));
            chosen = chosen.stream().filter(v -> variants.contains(v.id())).toList();
        }
        out.printf(Locale.ROOT, "%d samples from %s, labels from %s%n", y.length, inputs, labels);
        out.printf(Locale.ROOT, "%-24s %8s %8s %10s%n", "variant", "top-1", "top-5", "agreement");
        float[] reference = null;
        for (Variant v : chosen) {
            LoadOptions o = LoadOptions.builder().variant(v.id()).threads(threads.threads()).watchPower(false).build();
            float[] logits;
            try (JedgeModel m = Jedge.load(bundleDir, o)) {
                logits = m.predictor().run(Map.of(in.name(), x)).values().iterator().next().floats();
            } catch (JedgeException e) {
                out.printf(Locale.ROOT, "%-24s skipped: %s%n", v.id(), e.getMessage().lines().findFirst().orElse(""));
                continue;
            }
            int classes = logits.length / y.length;
            if (classes < 2 || logits.length % y.length != 0) {
                throw new IllegalArgumentException("variant " + v.id() + " gives " + logits.length + " values for " + y.length
                        + " samples; eval needs (batch, classes) logits");
            }
            int hits1 = 0;
            int hits5 = 0;
            int agree = 0;
            for (int i = 0; i < y.length; i++) {
                int row = i * classes;
                hits1 += Ranking.inTopK(logits, row, classes, y[i], 1) ? 1 : 0;
                hits5 += Ranking.inTopK(logits, row, classes, y[i], 5) ? 1 : 0;
                agree += reference != null && Ranking.sameTop1(reference, logits, row, classes) ? 1 : 0;
            }
            out.printf(Locale.ROOT, "%-24s %7.2f%% %7.2f%% %10s%n", v.id(), 100.0 * hits1 / y.length, 100.0 * hits5 / y.length,
                    reference == null ? "(reference)" : String.format(Locale.ROOT, "%.2f%%", 100.0 * agree / y.length));
            if (reference == null) {
                reference = logits;
            }
            out.flush();
        }
        out.flush();
        return 0;
    }

    /** As convert's label files (README: label files 16 MiB). */
    private static final long MAX_LABELS_BYTES = 16L << 20;

    static long[] readLabels(Path file) throws IOException {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            Tensor t = TensorFiles.readNpy(file);
            if (t.type() != io.jedge.sdk.DataType.INT64) {
                throw new IllegalArgumentException(file + ": labels must be integers (class indices), found " + t.type());
            }
            return t.longs();
        }
        if (Files.size(file) > MAX_LABELS_BYTES) { // read whole below
            throw new IllegalArgumentException("--labels " + file + ": " + Files.size(file) + " bytes, expected at most "
                    + (MAX_LABELS_BYTES >> 20) + " MiB of class indices, one per line");
        }
        List<String> lines = Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        long[] out = new long[lines.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = Long.parseLong(lines.get(i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": '" + lines.get(i) + "' is not a class index");
            }
        }
        return out;
    }
}
