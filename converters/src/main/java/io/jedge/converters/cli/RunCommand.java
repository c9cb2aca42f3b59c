package io.jedge.converters.cli;

import io.jedge.sdk.Jedge;
import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.vision.Classification;
import io.jedge.sdk.vision.ImageClassifier;
import io.jedge.sdk.vision.ImagePreprocessor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

    @Option(names = "--input", required = true, paramLabel = "FILE", description = ".f32 (little-endian float32, the model's input layout) or an image.")
    Path input;

    @Option(names = "--top", defaultValue = "5", description = "Classes to print for classifiers (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--variant", description = "Force a variant id instead of letting the runtime choose.")
    String variant;

    @Option(names = "--threads", defaultValue = "0")
    int threads;

    @Option(names = "--autotune", description = "When nothing was measured on this device and mode, measure the variants briefly (up to 10 s) first.")
    boolean autotune;

    @Option(names = "--simulate", paramLabel = "MODULE:MODE", description = "Choose the variant as that device would (runs here).")
    String simulate;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        LoadOptions o = LoadOptions.builder().variant(variant).threads(threads).watchPower(false).autotune(autotune).simulate(simulate).build();
        try (JedgeModel m = Jedge.load(bundleDir, o)) {
            out.println("variant: " + m.selection());
            String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
            long t0 = System.nanoTime();
            if (name.endsWith(".f32")) {
                TensorSpec spec0 = m.manifest().inputs().get(0);
                Tensor t = readF32(input, spec0);
                Map<String, Tensor> res = m.predictor().run(Map.of(spec0.name(), t));
                double ms = (System.nanoTime() - t0) / 1e6;
                for (Map.Entry<String, Tensor> e : res.entrySet()) {
                    if (m.manifest().task() == Task.IMAGE_CLASSIFICATION && e.getValue().rank() == 2) {
                        int k = (int) e.getValue().dim(1);
                        for (int row = 0; row < e.getValue().dim(0); row++) {
                            float[] logits = java.util.Arrays.copyOfRange(e.getValue().floats(), row * k, (row + 1) * k);
                            printTop(out, ImageClassifier.topK(logits, top, m.manifest().labels()), row);
                        }
                    } else {
                        out.println(summary(e.getKey(), e.getValue()));
                    }
                }
                out.printf("latency: %.2f ms (first call, includes warm-up)%n", ms);
            } else {
                List<Classification> c = m.imageClassifier().classify(ImagePreprocessor.read(input), top);
                double ms = (System.nanoTime() - t0) / 1e6;
                printTop(out, c, 0);
                out.printf("latency: %.2f ms (first call, includes warm-up)%n", ms);
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

    static Tensor readF32(Path file, TensorSpec spec) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long[] shape = spec.shapeArray();
        long per = 1;
        for (int i = 1; i < shape.length; i++) {
            per *= shape[i];
        }
        long n = bytes.length / 4;
        if (bytes.length % 4 != 0 || per <= 0 || n % per != 0) {
            throw new IllegalArgumentException("input " + file + " holds " + n + " float32 values, not a multiple of one "
                    + spec.name() + " sample " + spec.shape().subList(1, shape.length) + " (" + per + " values)");
        }
        shape[0] = n / per;
        float[] v = new float[(int) n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return Tensor.ofFloats(shape, v);
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
