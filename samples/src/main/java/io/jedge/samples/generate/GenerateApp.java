package io.jedge.samples.generate;

import io.jedge.cli.options.DeviceFlags;
import io.jedge.cli.options.GenerationFlags;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Selection;
import io.jedge.sdk.diffusion.DenoiserKind;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.GenerationResult;
import io.jedge.sdk.diffusion.ImageGenerator;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * An on-device image-generation app written against the {@code sdk} API only: load a
 * latent-diffusion bundle, let the runtime choose its denoisers and decoder, generate images one
 * after another (asynchronously, printing each step with the denoiser that ran it), and write PNGs
 * named by class and seed. Image {@code i} uses seed {@code --seed + i}.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate images with a jedge latent-diffusion bundle.")
public final class GenerateApp implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BUNDLE")
    Path bundle;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Folder to write the PNGs into.")
    Path outDir;

    @Option(names = "--class", paramLabel = "N", description = "Class to generate; leave out for unconditional generation.")
    Long classLabel;

    @Option(names = "--images", defaultValue = "1", description = "Images to generate (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the first image (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    GenerationFlags sampling;

    @Mixin
    DeviceFlags.Threads threads;

    private final PrintStream out;

    public GenerateApp() {
        this(System.out);
    }

    GenerateApp(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new GenerateApp()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(outDir);
        sampling.check(); // before the models open
        if (images < 1) {
            throw new IllegalArgumentException("--images " + images + ", expected at least 1");
        }
        try (ImageGenerator generator = Jedge.loadGenerator(bundle, LoadOptions.builder().threads(threads.threads()).build())) {
            for (Selection s : generator.selections()) {
                out.println("variant: " + s.variantId() + " on " + s.backend());
            }
            for (int i = 0; i < images; i++) {
                GenerationOptions o = options(generator, seed + i);
                int image = i + 1;
                long t0 = System.nanoTime();
                GenerationResult r = generator.generateAsync(o, p -> out.printf(Locale.ROOT,
                        "  image %d step %d/%d %-9s %.2f s (eta %.2f s)%n", image, p.step(), p.totalSteps(),
                        p.denoiser() == DenoiserKind.ELFATT_SD ? generator.fastAttention().id() : "vanilla", p.elapsed().toNanos() / 1e9,
                        p.remaining().toNanos() / 1e9)).join();
                Path png = outDir.resolve((o.classLabel() == null ? "uncond" : "class" + o.classLabel()) + "-seed" + o.seed() + ".png");
                r.writePng(0, png);
                double secs = (System.nanoTime() - t0) / 1e9;
                out.printf(Locale.ROOT, "%s: %dx%d, %d %s + %d vanilla steps, %.2f s (%.3f s/step)%n", png.getFileName(),
                        r.image().dim(3), r.image().dim(2), r.elfattSteps(), generator.fastAttention().displayName(), r.vanillaSteps(),
                        secs, secs / o.steps());
            }
        }
        return 0;
    }

    private GenerationOptions options(ImageGenerator g, long imageSeed) {
        GenerationOptions.Builder b = g.options().seed(imageSeed);
        if (classLabel != null) {
            b.classLabel(classLabel);
        } else {
            b.unconditional().guidanceScale(1.0);
        }
        return sampling.apply(b, g.defaults().predictionType()).build();
    }
}
