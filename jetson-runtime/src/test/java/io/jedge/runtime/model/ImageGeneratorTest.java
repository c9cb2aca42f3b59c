package io.jedge.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.TinyModels;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.diffusion.DenoiserKind;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.GenerationResult;
import io.jedge.sdk.diffusion.ImageGenerator;
import io.jedge.sdk.diffusion.Progress;
import io.jedge.sdk.diffusion.Residency;
import io.jedge.sdk.diffusion.SchedulerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A latent-diffusion bundle generating through the app API ({@link Jedge#loadGenerator}): the tiny denoisers and decoder
 * of {@link TinyModels#diffusionBundle}, which have a DiT's and TAESD's signatures.
 */
class ImageGeneratorTest {
    @TempDir
    Path tmp;

    private static final LoadOptions CPU = LoadOptions.builder().threads(1).watchPower(false).build();

    @Test
    void classConditionalGenerationSwapsDenoisersAndIsReproducible() throws Exception {
        Path bundle = TinyModels.diffusionBundle(tmp.resolve("b"), true).dir();
        try (ImageGenerator g = Jedge.loadGenerator(bundle, CPU)) {
            assertTrue(g.hasElfattDenoiser());
            assertEquals(List.of("fp32-vanilla", "fp32-elfatt-sd", "fp32-decoder"), g.selections().stream().map(s -> s.variantId()).toList());
            assertEquals(Residency.KEEP_LOADED, g.residency(), "a CPU host with memory to spare keeps the models loaded");
            assertEquals(10L, g.defaults().nullClass());
            assertEquals(1.0, g.defaults().latentScalingFactor(), "the bundle's scaling factor (TAESD's)");

            GenerationOptions o = g.options().classLabel(3).steps(10).seed(7).scheduler(SchedulerKind.EULER).build();
            assertEquals(4.0, o.guidanceScale(), "the bundle's default guidance");
            List<Progress> steps = new CopyOnWriteArrayList<>();
            GenerationResult r = g.generateAsync(o, steps::add).join();
            assertEquals(2, r.elfattSteps(), "ELFATT-SD for the first 20% of 10 steps");
            assertEquals(8, r.vanillaSteps());
            assertEquals(10, steps.size());
            assertEquals(List.of(DenoiserKind.ELFATT_SD, DenoiserKind.ELFATT_SD, DenoiserKind.VANILLA),
                    steps.subList(0, 3).stream().map(Progress::denoiser).toList());
            assertArrayEquals(new long[] {1, 3, 64, 64}, r.image().shape());
            Path png = tmp.resolve("a.png");
            r.writePng(0, png);
            assertEquals(64, ImageIO.read(png.toFile()).getWidth());

            GenerationResult same = g.generate(o);
            assertArrayEquals(r.image().floats(), same.image().floats(), "same seed, same image");
            GenerationResult other = g.generate(g.options().classLabel(3).steps(10).seed(8).scheduler(SchedulerKind.EULER).build());
            assertFalse(java.util.Arrays.equals(r.latents().floats(), other.latents().floats()), "another seed, another image");
            GenerationResult vanilla = g.generate(g.options().classLabel(3).steps(10).seed(7).scheduler(SchedulerKind.EULER)
                    .elfattFraction(0).build());
            assertEquals(0, vanilla.elfattSteps());
            assertFalse(java.util.Arrays.equals(r.latents().floats(), vanilla.latents().floats()),
                    "the ELFATT-SD steps ran a different model than the vanilla ones");
        }
    }

    @Test
    void jetsonKeepsOneModelOpenAtATimeWithTheSameResult() throws Exception {
        Path bundle = TinyModels.diffusionBundle(tmp.resolve("b"), true).dir();
        LoadOptions jetson = LoadOptions.builder().threads(1).watchPower(false).simulate("orin-nano-8gb:15W").build();
        GenerationResult onJetson;
        try (ImageGenerator g = Jedge.loadGenerator(bundle, jetson)) {
            assertEquals(Residency.ONE_AT_A_TIME, g.residency());
            assertTrue(g.selections().get(0).simulated());
            onJetson = g.generate(g.options().classLabel(5).steps(5).seed(2).build());
        }
        try (ImageGenerator g = Jedge.loadGenerator(bundle, CPU)) {
            GenerationResult here = g.generate(g.options().classLabel(5).steps(5).seed(2).build());
            assertArrayEquals(here.image().floats(), onJetson.image().floats());
            assertEquals(1, onJetson.elfattSteps());
        }
    }

    @Test
    void unconditionalBundleHasNoNullClassAndNoGuidance() throws Exception {
        Path bundle = TinyModels.diffusionBundle(tmp.resolve("b"), false).dir();
        try (ImageGenerator g = Jedge.loadGenerator(bundle, CPU)) {
            assertNull(g.defaults().nullClass());
            GenerationOptions o = g.options().steps(3).seed(1).batchSize(2).build();
            assertFalse(o.usesGuidance());
            GenerationResult r = g.generate(o);
            assertEquals(2, r.count());
            assertEquals(0, r.elfattSteps(), "floor(0.2 * 3) = 0 ELFATT-SD steps");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> g.generate(g.options().steps(2).classLabel(1).build()));
            assertTrue(e.getMessage().contains("no class input"), e.getMessage());
        }
    }

    @Test
    void wrongEntryPointsSayWhichToUse() throws Exception {
        Path bundle = TinyModels.diffusionBundle(tmp.resolve("b"), true).dir();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jedge.load(bundle, CPU));
        assertTrue(e.getMessage().contains("loadGenerator"), e.getMessage());
        Path manifest = bundle.resolve("bundle.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"latentScalingFactor\"", "\"latentScaling\""));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Jedge.loadGenerator(bundle, CPU));
        assertTrue(missing.getMessage().contains("pipeline.latentScalingFactor is missing"), missing.getMessage());
        assertThrows(BundleException.class, () -> Jedge.loadGenerator(tmp.resolve("nope"), CPU));
    }
}
