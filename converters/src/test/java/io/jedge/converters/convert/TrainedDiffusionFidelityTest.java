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
import io.jedge.converters.precision.Int8Options;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Precision;
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
 * held-out noised latents passed as {@code --calibration DIR} rather than on seeded noise: ELFATT-SD, and INT8
 * (whose weights and activations a seeded DiT's small adaLN gates would hide).
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

    /**
     * INT8 calibrated along seeded FP32 generations, measured on the held-out latents: about 0.996 at t = 25 and above
     * 0.9998 elsewhere (benchmarks/int8-diffusion-trained-digits-cpu-2026-12-03.md), so the default floor keeps it.
     */
    @Test
    void int8IsReportedAtEveryHeldOutTimestepWithItsFinalLatentDifference() throws Exception {
        List<String> log = new ArrayList<>();
        Bundle b = new DiffusionConverter(log::add).convert(dit(), decoder(), tmp.resolve("b"), int8(PrecisionOptions.DEFAULT_MIN_COSINE),
                Map.of());
        Report r = b.manifest().reports().stream().filter(x -> x.variant().equals("int8-vanilla")).findFirst()
                .orElseThrow(() -> new AssertionError("int8 left out on the trained DiT: " + log));
        assertTrue(r.inputs().contains("64 held-out noised latents"), r.inputs());
        double min = 1;
        for (long t : EVAL_TIMESTEPS) {
            Double cos = r.metrics().get("noiseCosine_t" + t);
            assertTrue(cos != null && cos >= PrecisionOptions.DEFAULT_MIN_COSINE && cos < 1, "t=" + t + " in " + r.metrics());
            min = Math.min(min, cos);
        }
        assertEquals(min, r.metrics().get("cosine"), 1e-12, "the gate reads the worst timestep");
        assertTrue(r.metrics().get("noiseCosine_t25") < r.metrics().get("noiseCosine_t975"), "INT8 errs most at low noise: " + r.metrics());
        double latents = r.metrics().get("finalLatentCosine");
        assertTrue(latents > 0.99 && latents < 1 && r.metrics().get("finalLatentMaxAbsDiff") > 0, r.metrics().toString());
        assertTrue(b.manifest().variant("int8-vanilla").orElseThrow().attributes().get("calibration")
                .startsWith("200 denoiser inputs along 4 seeded 25-step"), b.manifest().variant("int8-vanilla").toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("int8-vanilla: predicted-noise cosine vs fp32 t=25 ") && l.contains("t=975 ")),
                log.toString());
    }

    @Test
    void aFloorAboveWhatInt8ReachesLeavesItOutWithTheLine() throws Exception {
        List<String> log = new ArrayList<>();
        Bundle b = new DiffusionConverter(log::add).convert(dit(), decoder(), tmp.resolve("b"), int8(0.9999), Map.of());
        assertTrue(b.manifest().variant("int8-vanilla").isEmpty(), "written below its floor: " + log);
        assertTrue(!Files.exists(b.dir().resolve("int8-vanilla.onnx")));
        String line = log.stream().filter(l -> l.startsWith("int8-vanilla left out: ")).findFirst()
                .orElseThrow(() -> new AssertionError(log.toString()));
        assertTrue(line.matches("int8-vanilla left out: its worst predicted-noise cosine 0\\.99\\d+ is below --min-cosine 0\\.9999"
                + " \\(let the validation loop keep the layers that matter most float with --max-auto-exclude N, or name them"
                + " with --exclude-layers\\)"), line);
        String recorded = b.manifest().variant("fp32-vanilla").orElseThrow().attributes().get("leftOut.int8");
        assertEquals(line.substring("int8-vanilla left out: ".length()), recorded, "the manifest says why, with what to try");
    }

    @Test
    void theValidationLoopKeepsTheLayerThatMattersFloatToReachAHigherFloor() throws Exception {
        // as quantized the worst cosine is 0.996 (below 0.999); the loop, ranking layers by the gate's own figure, keeps
        // block 0's qkv float and reaches it (benchmarks/int8-diffusion-trained-digits-cpu-2026-12-03.md)
        List<String> log = new ArrayList<>();
        ConversionOptions o = ConversionOptions.builder().batch(1, 2, 8).precisions(List.of(Precision.FP32, Precision.INT8))
                .precision(PrecisionOptions.builder().calibrationDir(heldOut(true)).minCosine(0.999).build()).build();
        Bundle b = new DiffusionConverter(log::add).convert(dit(), decoder(), tmp.resolve("loop"), o, Map.of());
        assertTrue(b.manifest().variant("int8-vanilla").isPresent(), "written once the loop reached the floor: " + log);
        Report r = b.manifest().reports().stream().filter(x -> x.variant().equals("int8-vanilla") && x.kind().equals("accuracy"))
                .findFirst().orElseThrow();
        assertTrue(r.metrics().get("cosine") >= 0.999, r.metrics().toString());
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("excluded by the validation loop: ") && n.contains("blocks.0.attn.qkv")),
                r.notes().toString());
    }

    /** FP32 and INT8 of the as-exported DiT, reported on the held-out latents; the validation loop off, so the floor alone decides. */
    private ConversionOptions int8(double floor) throws Exception {
        return ConversionOptions.builder().batch(1, 2, 8).precisions(List.of(Precision.FP32, Precision.INT8))
                .precision(PrecisionOptions.builder().calibrationDir(heldOut(true)).minCosine(floor)
                        .int8(Int8Options.builder().maxAutoExclude(0).build()).build()).build();
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
        Path d = tmp.resolve(labels ? "cal" : "cal-nolabels");
        if (Files.exists(d)) {
            return d;
        }
        Files.createDirectories(d);
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
