package io.jedge.cli;

import io.jedge.cli.options.DeviceFlags;
import io.jedge.cli.options.GenerationFlags;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Selection;
import io.jedge.sdk.diffusion.DenoiserKind;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.GenerationResult;
import io.jedge.sdk.diffusion.ImageGenerator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jedge generate}: images from a latent-diffusion bundle through the app API, with per-step progress. */
@Command(name = "generate", description = {
    "Generate images with a latent-diffusion bundle (denoiser + decoder), printing progress per step.",
    "Defaults for steps, guidance and scheduler come from the bundle."})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE")
    Path bundleDir;

    @Option(names = "--class", paramLabel = "N", description = "Class to generate (class-conditional bundles).")
    Long classLabel;

    @Option(names = "--unconditional", description = "Generate without a class (guidance is then off).")
    boolean unconditional;

    @Option(names = "--seed", defaultValue = "0", description = "Noise seed; the same seed gives the same image (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    GenerationFlags sampling;

    @Option(names = "--count", defaultValue = "1", description = "Images to make in one batch, each with its own noise stream of the seed.")
    int count;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.png",
            description = "PNG to write; with --count N > 1, OUT-0.png .. OUT-(N-1).png.")
    Path output;

    @Mixin
    DeviceFlags.Threads threads;

    @Mixin
    DeviceFlags.ForcedVariant variant;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, ort-cpu or tensorrt: run only variants of this backend"
            + " (default ${DEFAULT-VALUE}: engines where TensorRT runs, ONNX Runtime elsewhere).")
    String backend;

    @Mixin
    DeviceFlags.Simulate simulate;

    @Override
    public Integer call() throws Exception {
        if (unconditional && classLabel != null) {
            throw new IllegalArgumentException("--class " + classLabel + " and --unconditional exclude each other");
        }
        checkOptions();
        checkClassBeforeLoading();
        PrintWriter out = spec.commandLine().getOut();
        LoadOptions lo = LoadOptions.builder().threads(threads.threads()).backend(backend).variant(variant.variant()).simulate(simulate.simulate()).watchPower(false).build();
        try (ImageGenerator g = Jedge.loadGenerator(bundleDir, lo)) {
            GenerationOptions o = options(g);
            requireForcedVariantRuns(g, o);
            out.printf(Locale.ROOT, "bundle %s: %d steps of %s, guidance %s, seed %d, %s, latents %dx%dx%d, %s%n",
                    g.manifest().name(), o.steps(), o.scheduler().kind().id(), o.usesGuidance() ? o.guidanceScale() : "off",
                    o.seed(), o.classLabel() == null ? "unconditional" : "class " + o.classLabel(), o.latentChannels(),
                    o.latentHeight(), o.latentWidth(), g.hasElfattDenoiser()
                            ? g.fastAttention().displayName() + " for the first " + o.elfattSteps() + " steps" : "no training-free denoiser");
            for (Selection s : g.selections()) {
                out.println("  " + s);
            }
            out.println("  residency: " + g.residency().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            out.flush();
            // the early steps run ELFATT-SD, ToMe or both: name the attention of the variant chosen
            String fastKind = g.fastAttention().id();
            GenerationResult r;
            try {
                // the variant and backend of each denoiser kind, so every step line says what ran it
                String vanillaRan = g.selections().get(0).variantId() + "@" + g.selections().get(0).backend();
                String elfattRan = g.hasElfattDenoiser() ? g.selections().get(1).variantId() + "@" + g.selections().get(1).backend() : "";
                long[] previous = {0};
                r = g.generateAsync(o, p -> {
                    long now = p.elapsed().toNanos();
                    out.printf(Locale.ROOT, "step %3d/%d  t=%4d  %-14s  %7.4f s/step  elapsed %6.2f s  eta %6.2f s  %s%n", p.step(),
                            p.totalSteps(), p.timestep(), p.denoiser() == DenoiserKind.ELFATT_SD ? fastKind : "vanilla",
                            (now - previous[0]) / 1e9, now / 1e9, p.remaining().toNanos() / 1e9,
                            p.denoiser() == DenoiserKind.ELFATT_SD ? elfattRan : vanillaRan);
                    previous[0] = now;
                    out.flush();
                }).join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof Exception c) {
                    throw c;
                }
                throw e;
            }
            for (int i = 0; i < r.count(); i++) {
                Path file = r.count() == 1 ? output : numbered(output, i);
                if (file.toAbsolutePath().getParent() != null) {
                    java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
                }
                r.writePng(i, file);
                out.printf(Locale.ROOT, "wrote %s (%dx%d)%n", file, r.image().dim(3), r.image().dim(2));
            }
            double secs = r.elapsed().toNanos() / 1e9;
            out.printf(Locale.ROOT, "%d image(s) in %.2f s: %d %s + %d vanilla steps%n", r.count(), secs, r.elfattSteps(),
                    g.fastAttention().displayName(), r.vanillaSteps());
            out.flush();
        }
        return 0;
    }

    /**
     * What can be checked without the bundle, so that a typo costs no model load. Errors are
     * IllegalArgumentException, which the CLI prints as one line and a hint (a ParameterException
     * would print the whole usage).
     */
    private void checkOptions() {
        sampling.check();
        if (!java.util.List.of("auto", "ort-cpu", "tensorrt").contains(backend)) {
            throw new IllegalArgumentException("--backend " + backend + ", expected auto, ort-cpu or tensorrt");
        }
        if (count < 1) {
            throw new IllegalArgumentException("--count " + count + ", expected at least 1");
        }
        if (classLabel != null && classLabel < 0) {
            throw new IllegalArgumentException("--class " + classLabel + ", expected a class index >= 0");
        }
        // writePng writes PNG whatever the name says: an x.jpg holding PNG bytes is silent wrong output
        String name = output.getFileName() == null ? "" : output.getFileName().toString();
        if (!java.nio.file.Files.isDirectory(output) && !name.toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("--output " + output + ": generate writes PNG images; give a file name ending in .png");
        }
        // a generation takes minutes: an output that cannot be written must fail now, not after the last step
        io.jedge.sdk.AtomicFiles.requireWritable("--output " + output, count == 1 ? output : numbered(output, 0));
    }

    /**
     * The class and guidance checks, from bundle.json alone: before the load hashes every variant file. A bundle that does
     * not read, is not a generator's or has a bad pipeline is left to the load, which says what is wrong and where.
     */
    private void checkClassBeforeLoading() {
        try {
            io.jedge.sdk.bundle.Bundle b = io.jedge.sdk.bundle.Bundle.load(bundleDir, false);
            if (b.manifest().task() == io.jedge.sdk.bundle.Task.LATENT_DIFFUSION) {
                checkClass(b.manifest().name(), io.jedge.sdk.diffusion.GenerationDefaults.fromPipeline(b.manifest().pipeline()).nullClass());
            }
        } catch (io.jedge.sdk.bundle.BundleException e) {
            // Jedge.loadGenerator reads it again and says what is wrong
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().startsWith("pipeline.")) {
                throw e; // ours; a bad pipeline entry is the load's to report, with the file
            }
        }
    }

    private void checkClass(String bundleName, Long nullClass) {
        if (classLabel != null && nullClass == null) {
            throw new IllegalArgumentException("--class " + classLabel + ": bundle '" + bundleName + "' is unconditional; drop --class");
        }
        if (classLabel != null && classLabel >= nullClass) {
            throw new IllegalArgumentException("--class " + classLabel + ", expected 0.." + (nullClass - 1)
                    + " (bundle '" + bundleName + "' has " + nullClass + " classes)");
        }
        if (classLabel == null && nullClass != null && !unconditional) {
            throw new IllegalArgumentException("bundle '" + bundleName + "' is class-conditional (null class " + nullClass
                    + "); give --class N or --unconditional");
        }
        Double guidance = sampling.guidance();
        if (classLabel == null && guidance != null && guidance != 1.0) { // guidance mixes a class and the null class
            throw new IllegalArgumentException("--guidance " + guidance + " needs a class; unconditional generation runs without"
                    + " guidance: drop --guidance" + (nullClass != null ? ", or give --class N instead of --unconditional" : ""));
        }
    }

    private GenerationOptions options(ImageGenerator g) {
        GenerationOptions.Builder b = g.options().seed(seed).batchSize(count); // class and guidance checked before the load
        if (classLabel != null) {
            b.classLabel(classLabel);
        } else {
            b.unconditional();
            b.guidanceScale(1.0);
        }
        return sampling.apply(b, g.defaults().predictionType()).build();
    }

    /**
     * A forced denoiser that no step would run (a vanilla one with every step on the fast denoiser, a fast one with none)
     * was ignored without a word: refuse it, naming the --elfatt-steps that would run it.
     */
    private void requireForcedVariantRuns(ImageGenerator g, GenerationOptions o) {
        if (variant.variant() == null) {
            return;
        }
        var v = g.manifest().variant(variant.variant()).orElse(null);
        if (v == null || v.role() != io.jedge.sdk.bundle.Role.DENOISER) {
            return;
        }
        if (g.selections().stream().noneMatch(sel -> sel.variantId().equals(v.id()))) {
            // the generator leaves out a denoiser that cannot run here and runs the steps on the others
            throw new IllegalArgumentException("--variant " + v.id() + " cannot run here (the generator chose "
                    + g.selections().stream().map(sel -> sel.variantId()).toList() + "); see 'jedge select'");
        }
        boolean vanilla = !v.attention().trainingFree(); // the generator splits its denoisers the same way
        if (vanilla && o.elfattSteps() == o.steps() && g.hasElfattDenoiser()) {
            throw new IllegalArgumentException("--variant " + v.id() + " runs the vanilla steps, and --elfatt-steps " + o.elfattFraction()
                    + " gives all " + o.steps() + " steps to " + g.selections().get(1).variantId() + "; lower --elfatt-steps");
        }
        if (!vanilla && o.elfattSteps() == 0) {
            throw new IllegalArgumentException("--variant " + v.id() + " runs the first --elfatt-steps fraction of the steps, and --elfatt-steps "
                    + o.elfattFraction() + " is 0 of " + o.steps() + " steps; raise --elfatt-steps (1 runs every step on it)");
        }
    }

    static Path numbered(Path file, int i) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + i + name.substring(dot) : name + "-" + i;
        return file.resolveSibling(numbered);
    }
}
