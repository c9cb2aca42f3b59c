package io.jedge.cli.convert;

import io.jedge.sdk.AtomicFiles;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.Converter;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.bench.BundleBench;
import io.jedge.runtime.bench.BundleBenchOptions;
import io.jedge.runtime.model.Environment;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.sdk.Goal;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.vision.Classification;
import io.jedge.sdk.vision.ImageClassifier;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import io.jedge.cli.options.DeviceFlags;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "quickstart", description = "Build a small ViT, convert it to a bundle, run and benchmark it on the embedded default backend.")
final class QuickstartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, defaultValue = "jedge-out/quickstart", description = "Work folder (default ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--seconds", defaultValue = "1.5", description = "Benchmark seconds per variant and batch.")
    double seconds;

    @Mixin
    DeviceFlags.Threads threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try { // before the build and convert: batches 1 and 8 are the quickstart's own
            BundleBenchOptions.check(List.of(), seconds, threads.threads());
        } catch (io.jedge.runtime.bench.BenchOptionException e) {
            throw e.renamed(io.jedge.cli.options.BenchFlags.flag(e.parameter()));
        }
        io.jedge.sdk.AtomicFiles.requireWritableDir("--output " + dir, dir);
        long t0 = System.nanoTime();
        VitConfig c = VitConfig.preset("micro");
        out.println("== 1. build a ViT (" + c.dim() + " dim, " + c.depth() + " blocks, " + c.heads() + " heads, " + c.imageSize()
                + " px, patch " + c.patch() + ") with RANDOM demo weights (seed 7): its classes mean nothing");
        Path model = dir.resolve("vit-micro.onnx");
        OnnxModel m = VitBuilder.build(c, new SeededWeights(7), new VanillaAttention());
        m.save(model);
        out.println("   wrote " + model.toAbsolutePath());

        out.println("== 2. convert it into a bundle");
        List<Precision> precisions = List.of(Precision.FP32, Precision.FP16, Precision.INT8);
        Path bundleDir = dir.resolve("vit-micro.bundle");
        Bundle bundle = new Converter(l -> out.println("   " + l)).convert(model, bundleDir,
                ConversionOptions.builder().name("vit-micro").precisions(precisions).attention(List.of("keep", "elfatt-sd")).batch(1, 8, 32).build());
        out.println("   wrote " + bundle.manifestFile());

        DeviceContext ctx = Environment.detect(LoadOptions.defaults()).current();
        out.println("== 3. benchmark every variant on " + ctx.describe() + " (ONNX Runtime CPU), batches 1 and 8");
        out.flush();
        BundleBench.Outcome bench = BundleBench.run(bundle,
                BundleBenchOptions.builder(ctx).batches(List.of(1, 8)).seconds(seconds).threads(threads.threads()).build(), l -> {
            if (!l.startsWith("    split: not available")) { // every row here is on the CPU; said once below
                out.println("   " + l);
                out.flush();
            }
        });
        out.println("   (no host-to-device/compute split on the CPU; `jedge bench` shows it on TensorRT)");

        out.println("== 4. load the bundle through the app API and classify an image");
        BufferedImage img = sampleImage(c.imageSize());
        Path png = dir.resolve("sample.png");
        AtomicFiles.write(png, o -> ImageIO.write(img, "png", o));
        try (JedgeModel loaded = Jedge.load(bundleDir, LoadOptions.builder().goal(Goal.LATENCY).threads(threads.threads()).build())) {
            out.println("   chosen: " + loaded.selection());
            ImageClassifier classifier = loaded.imageClassifier();
            long s = System.nanoTime();
            List<Classification> top = classifier.classify(png, 5);
            out.printf("   %s -> top-5 in %.1f ms: %s%n", png.getFileName(), (System.nanoTime() - s) / 1e6, top);

            // Both paths are warmed with the same image before timing: the cold first requests (JIT,
            // session warm-up) used to be charged to the concurrent path only, making it look 3x slower.
            int n = 32;
            sequential(classifier, img, n);
            concurrent(classifier, img, n);
            double seq = sequential(classifier, img, n);
            double conc = concurrent(classifier, img, n);
            out.printf("   warmed, same image, %d requests: sequential %.1f images/s, concurrent async %.1f images/s (%.2fx)%n",
                    n, n / seq, n / conc, seq / conc);
        }

        out.println("== done in " + String.format("%.1f s", (System.nanoTime() - t0) / 1e9));
        BundleBench.Row best = bench.rows().stream().max(java.util.Comparator.comparingDouble(BundleBench.Row::throughputPerSec)).orElseThrow();
        BundleBench.Row fast = bench.rows().stream().filter(r -> r.batch() == 1).min(java.util.Comparator.comparingDouble(BundleBench.Row::p50Ms)).orElse(best);
        out.printf("   fastest at batch 1: %s, p50 %.2f ms; best throughput: %s at batch %d, %.1f images/s%n", fast.variant(), fast.p50Ms(),
                best.variant(), best.batch(), best.throughputPerSec());
        out.println("   files: " + dir.toAbsolutePath());
        out.println("   next: ./jedge inspect " + model + "   |   ./jedge run " + bundleDir + " --input " + png);
        out.flush();
        return 0;
    }

    /** Seconds for {@code n} blocking calls, one after another. */
    static double sequential(ImageClassifier classifier, BufferedImage img, int n) {
        long s = System.nanoTime();
        for (int i = 0; i < n; i++) {
            classifier.classify(img, 1);
        }
        return (System.nanoTime() - s) / 1e9;
    }

    /** Seconds for {@code n} async calls issued at once, until all have answered. */
    static double concurrent(ImageClassifier classifier, BufferedImage img, int n) {
        List<CompletableFuture<List<Classification>>> fs = new ArrayList<>(n);
        long s = System.nanoTime();
        for (int i = 0; i < n; i++) {
            fs.add(classifier.classifyAsync(img, 1));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
        return (System.nanoTime() - s) / 1e9;
    }

    /** A deterministic gradient picture, so the demo needs no download. */
    static BufferedImage sampleImage(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int r = (x * 255) / size;
                int g = (y * 255) / size;
                int b = ((x + y) % 64) * 4;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }
}
