package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.Safetensors;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.TaesdDecoderBuilder;
import io.jedge.converters.models.TaesdDecoderConfig;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diffusion fidelity reports on the trained digits DiT (tools/diffusion/train_dit_digits.py), measured on its
 * held-out noised latents passed as {@code --calibration DIR} rather than on seeded noise.
 */
class TrainedDiffusionFidelityTest {
    static final Path FIXTURE = Path.of("src/test/resources/diffusion/digits_dit");
    static final DitConfig DIGITS = new DitConfig(32, 2, 128, 4, 4, 4, 4, 10, false);
    static final long[] EVAL_TIMESTEPS = {25, 100, 250, 400, 550, 700, 850, 975};

    @TempDir
    Path tmp;

    @Test
    void elfattSdIsMeasuredOnHeldOutLatentsAtEveryTimestep() throws Exception {
        List<String> log = new ArrayList<>();
        ConversionOptions o = ConversionOptions.builder().batch(1, 2, 8).attention(List.of("keep", "elfatt-sd"))
                .precision(PrecisionOptions.builder().calibrationDir(heldOut(true)).build()).build();
        Bundle b = new DiffusionConverter(log::add).convert(dit(), decoder(), tmp.resolve("b"), o, Map.of());
        log.forEach(System.out::println);
        Report r = b.manifest().reports().stream().filter(x -> x.variant().equals("fp32-elfatt-sd")).findFirst()
                .orElseThrow(() -> new AssertionError("elfatt-sd left out on the trained DiT: " + log));
        assertTrue(r.inputs().contains("64 held-out noised latents"), r.inputs());
        double min = 1;
        for (long t : EVAL_TIMESTEPS) {
            Double cos = r.metrics().get("noiseCosine_t" + t);
            assertTrue(cos != null && cos > 0 && cos <= 1 + 1e-9, "t=" + t + " in " + r.metrics());
            min = Math.min(min, cos);
        }
        assertEquals(min, r.metrics().get("noiseCosineMin"), 1e-12);
        assertTrue(!r.metrics().containsKey("noiseCosine_t999"), "seeded timesteps must not be reported: " + r.metrics());
        assertTrue(log.stream().anyMatch(l -> l.contains("t=25 ") && l.contains("t=975 ")), log.toString());
    }

    @Test
    void heldOutWithoutLabelsIsRefusedForAClassConditionalDenoiser() throws Exception {
        ConversionOptions o = ConversionOptions.builder().batch(1, 2, 8).attention(List.of("keep", "elfatt-sd"))
                .precision(PrecisionOptions.builder().calibrationDir(heldOut(false)).build()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DiffusionConverter(l -> { }).convert(dit(), decoder(), tmp.resolve("b"), o, Map.of()));
        assertTrue(e.getMessage().contains("labels.npy is missing"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("b").resolve("manifest.json")), "nothing written");
    }

    private Path heldOut(boolean labels) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(labels ? "cal" : "cal-nolabels"));
        Files.copy(FIXTURE.resolve("eval_latents.npy"), d.resolve("latents.npy"));
        Files.copy(FIXTURE.resolve("eval_timesteps.npy"), d.resolve("timesteps.npy"));
        if (labels) {
            Files.copy(FIXTURE.resolve("eval_labels.npy"), d.resolve("labels.npy"));
        }
        return d;
    }

    private Path dit() {
        Path p = tmp.resolve("digits-dit.onnx");
        if (!Files.exists(p)) {
            DitBuilder.build(DIGITS, Safetensors.open(FIXTURE.resolve("dit.safetensors"))).save(p);
        }
        return p;
    }

    private Path decoder() {
        Path p = tmp.resolve("decoder.onnx");
        if (!Files.exists(p)) {
            TaesdDecoderBuilder.build(new TaesdDecoderConfig(32, 4, true), new SeededWeights(12)).save(p);
        }
        return p;
    }
}
