package io.jedge.cli;

import io.jedge.cli.options.DeviceFlags;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.TensorFiles;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.vision.Classification;
import io.jedge.sdk.vision.ImageClassifier;
import io.jedge.sdk.vision.ImagePreprocessor;
import java.nio.file.Path;
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

@Command(name = "run", description = "Run a bundle on an input: a raw .f32 tensor or a PNG/JPEG image.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE")
    Path bundleDir;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = ".npy, .f32 (little-endian float32, the model's input layout) or an image.")
    Path input;

    @Option(names = "--output", paramLabel = "FILE", description = "Also write the raw outputs to FILE.npy or FILE.f32 (a model with "
            + "several outputs gets one file each, named FILE.<output>.npy).")
    Path output;

    @Option(names = "--top", defaultValue = "5", description = "Classes to print for classifiers (default ${DEFAULT-VALUE}).")
    int top;

    @Mixin
    DeviceFlags.ForcedVariant variant;

    @Mixin
    DeviceFlags.Threads threads;

    @Option(names = "--autotune", description = "When nothing was measured on this device and mode, measure the variants briefly (up to 10 s) first.")
    boolean autotune;

    @Mixin
    DeviceFlags.Simulate simulate;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        // everything checkable without the model, before it loads (which may build engines for minutes)
        InputFiles.require("--input " + input, input, ".npy, .f32 or a PNG/JPEG image");
        if (top < 1) {
            throw new IllegalArgumentException("--top " + top + ", expected at least 1");
        }
        if (output != null) {
            String f = output.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!f.endsWith(".npy") && !f.endsWith(".f32")) {
                throw new IllegalArgumentException("--output " + output + ": expected a .npy or .f32 file name");
            }
            io.jedge.sdk.AtomicFiles.requireWritable("--output " + output, output);
        }
        LoadOptions o = LoadOptions.builder().variant(variant.variant()).threads(threads.threads()).watchPower(false).autotune(autotune).simulate(simulate.simulate()).build();
        try (JedgeModel m = Jedge.load(bundleDir, o)) {
            out.println("variant: " + m.selection());
            String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
            long t0 = System.nanoTime();
            boolean tensor = name.endsWith(".f32") || name.endsWith(".npy");
            TensorSpec spec0 = m.manifest().inputs().get(0);
            Tensor t;
            if (tensor) {
                long[] shape = spec0.shapeArray();
                t = TensorFiles.read(input, java.util.Arrays.copyOfRange(shape, 1, shape.length));
            } else {
                if (m.manifest().preprocessing() == null) {
                    throw new IllegalArgumentException("bundle " + bundleDir + " records no image preprocessing; give the input as .npy or .f32");
                }
                t = new ImagePreprocessor(m.manifest().preprocessing()).toTensor(ImagePreprocessor.read(input));
            }
            Map<String, Tensor> res = m.predictor().run(Map.of(spec0.name(), t));
            double ms = (System.nanoTime() - t0) / 1e6;
            for (Map.Entry<String, Tensor> e : res.entrySet()) {
                if ((m.manifest().task() == Task.IMAGE_CLASSIFICATION || !tensor) && e.getValue().rank() == 2) {
                    int k = (int) e.getValue().dim(1);
                    for (int row = 0; row < e.getValue().dim(0); row++) {
                        float[] logits = java.util.Arrays.copyOfRange(e.getValue().floats(), row * k, (row + 1) * k);
                        // labels name one output's classes: another rank-2 output of a generic bundle prints by index
                        // (a classifier's mismatch is still refused by topK: its labels are wrong, not another output's)
                        List<String> labels = m.manifest().task() == Task.IMAGE_CLASSIFICATION || m.manifest().labels().size() == k
                                ? m.manifest().labels() : List.of();
                        printTop(out, ImageClassifier.topK(logits, top, labels), row);
                    }
                } else {
                    out.println(summary(e.getKey(), e.getValue()));
                }
            }
            out.printf("latency: %.2f ms (first call, includes warm-up)%n", ms);
            if (output != null) {
                for (Map.Entry<String, Tensor> e : res.entrySet()) {
                    Path file = res.size() == 1 ? output : withOutputName(output, e.getKey());
                    TensorFiles.write(e.getValue(), file);
                    out.println("wrote " + e.getKey() + " " + java.util.Arrays.toString(e.getValue().shape()) + " to " + file);
                }
            }
        }
        out.flush();
        return 0;
    }

    private static void printTop(java.io.PrintWriter out, List<Classification> c, int row) {
        out.println("top " + c.size() + (row > 0 ? " (row " + row + ")" : "") + ":");
        for (Classification x : c) {
            out.printf("  %6.2f%%  %s (%d)%n", x.probability() * 100, x.label(), x.index());
        }
    }

    /** FILE.npy → FILE.&lt;output&gt;.npy, with the output name made safe for a file name. */
    private static Path withOutputName(Path file, String output) {
        String f = file.getFileName().toString();
        int dot = f.lastIndexOf('.');
        String safe = output.replaceAll("[^A-Za-z0-9_.-]", "_");
        return file.resolveSibling(f.substring(0, dot) + "." + safe + f.substring(dot));
    }

    static String summary(String name, Tensor t) {
        if (t.type() != io.jedge.sdk.DataType.FLOAT32) {
            return name + " " + t;
        }
        float[] v = t.floats();
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        double sum = 0;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
            sum += x;
        }
        return String.format("%s %s min %.4f max %.4f mean %.4f", name, t, min, max, sum / v.length);
    }
}
