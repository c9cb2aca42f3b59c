package io.jedge.samples.classify;

import io.jedge.cli.options.DeviceFlags;
import io.jedge.sdk.Goal;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Selection;
import io.jedge.sdk.vision.Classification;
import io.jedge.sdk.vision.ImageClassifier;
import io.jedge.sdk.vision.ImagePreprocessor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * An on-device classification app written against the {@code sdk} API only: load a bundle, let the
 * runtime choose the variant for this device and power mode, classify a folder of images (or a
 * folder that a camera keeps writing into) with concurrent requests batched dynamically, print
 * top-5 with labels, latency and the runtime's choice — and its new choice when the power mode changes.
 */
@Command(name = "classify", mixinStandardHelpOptions = true, description = "Classify images with a jedge bundle.")
public final class ClassifyApp implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BUNDLE")
    Path bundle;

    @Parameters(index = "1", paramLabel = "DIR", description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(names = "--top", defaultValue = "5")
    int top;

    @Option(names = "--goal", defaultValue = "throughput", description = "latency or throughput (default ${DEFAULT-VALUE}).")
    String goal;

    @Option(names = "--watch", description = "Keep classifying new files that appear in DIR (a camera-like stream).")
    boolean watch;

    @Option(names = "--watch-seconds", defaultValue = "0", description = "Stop watching after this many seconds (0: until Ctrl-C).")
    int watchSeconds;

    @Mixin
    DeviceFlags.Threads threads;

    @Mixin
    DeviceFlags.Simulate simulate;

    private final PrintStream out;

    public ClassifyApp() {
        this(System.out);
    }

    ClassifyApp(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClassifyApp()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LoadOptions options = LoadOptions.builder().goal(Goal.valueOf(goal.toUpperCase(Locale.ROOT))).threads(threads.threads())
                .simulate(simulate.simulate()).build();
        try (JedgeModel model = Jedge.load(bundle, options)) {
            out.println("variant: " + model.selection());
            ImageClassifier classifier = model.imageClassifier();
            Set<Path> seen = new HashSet<>();
            int done = classifyNew(classifier, seen);
            int known = model.selectionHistory().size();
            long until = System.currentTimeMillis() + watchSeconds * 1000L;
            while (watch && (watchSeconds == 0 || System.currentTimeMillis() < until)) {
                Thread.sleep(200);
                done += classifyNew(classifier, seen);
                List<Selection> history = model.selectionHistory();
                for (int i = known; i < history.size(); i++) {
                    out.println("power mode changed; now running: " + history.get(i));
                }
                known = history.size();
            }
            out.printf(Locale.ROOT, "%d images classified%n", done);
            return done > 0 || watch ? 0 : 1;
        }
    }

    /** Classifies every image in the folder not seen yet, all at once so the runtime can batch them. */
    private int classifyNew(ImageClassifier classifier, Set<Path> seen) throws IOException {
        List<Path> fresh = new ArrayList<>();
        try (Stream<Path> files = Files.list(images)) {
            files.filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp)$")).sorted()
                    .filter(seen::add).forEach(fresh::add);
        }
        if (fresh.isEmpty()) {
            return 0;
        }
        long t0 = System.nanoTime();
        List<CompletableFuture<List<Classification>>> futures = new ArrayList<>();
        for (Path p : fresh) {
            futures.add(classifier.classifyAsync(ImagePreprocessor.read(p), top));
        }
        for (int i = 0; i < fresh.size(); i++) {
            List<Classification> c = futures.get(i).join();
            out.println(fresh.get(i).getFileName() + ":");
            for (Classification x : c) {
                out.printf(Locale.ROOT, "  %6.2f%%  %s%n", x.probability() * 100, x.label());
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        out.printf(Locale.ROOT, "%d image(s) in %.1f ms (%.1f ms per image, batched)%n", fresh.size(), ms, ms / fresh.size());
        return fresh.size();
    }
}
