package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.TaesdDecoderBuilder;
import io.jedge.converters.models.TaesdDecoderConfig;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.Int8Options;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.converters.precision.QuantProfile;
import io.jedge.runtime.backend.trt.build.TrtBuildOptions;
import io.jedge.runtime.backend.trt.build.TrtEngineBuilder;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.diffusion.GenerationResult;
import io.jedge.sdk.diffusion.ImageGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FP16 and INT8 diffusion variants and their reports, and what convert refuses before any work. */
class DiffusionConverterTest {
    @TempDir
    Path tmp;

    private static final DitConfig DIT = DitConfig.preset("tiny").withLatentSize(8).withClasses(10);

    private Path dit(DitConfig c) {
        Path p = tmp.resolve("dit-" + c.latentSize() + "-" + c.latentChannels() + ".onnx");
        DitBuilder.build(c, new SeededWeights(11)).save(p);
        return p;
    }

    private Path decoder(int latent, int channels) {
        Path p = tmp.resolve("taesd-" + latent + "-" + channels + ".onnx");
        TaesdDecoderBuilder.build(new TaesdDecoderConfig(latent, channels, true), new SeededWeights(12)).save(p);
        return p;
    }

    private static ConversionOptions.Builder options() {
        return ConversionOptions.builder().batch(1, 2, 8);
    }

    /** A decoder that does not carry its latent scaling factor gets SD's 0.18215: convert says so and how to change it. */
    @Test
    void aDecoderWithoutAScalingFactorIsToldWhatWasAssumed() throws Exception {
        Path plain = tmp.resolve("plain-decoder.onnx");
        OnnxModel m = OnnxModel.load(decoder(8, 4));
        m.metadata().remove("jedge.latent_scaling_factor");
        m.save(plain);
        ConversionOptions o = options().attention(List.of("keep")).precisions(List.of(Precision.FP32)).build();
        java.util.function.Predicate<String> note = l -> l.startsWith("decoder plain-decoder.onnx does not say its latent scaling factor")
                && l.contains("0.18215") && l.contains("--pipeline latentScalingFactor=1");

        List<String> log = new ArrayList<>();
        Bundle b = new DiffusionConverter(log::add).convert(dit(DIT), plain, tmp.resolve("b"), o, Map.of());
        assertTrue(log.stream().anyMatch(note), log.toString());
        assertEquals("0.18215", b.manifest().pipeline().get("latentScalingFactor"));

        List<String> given = new ArrayList<>();
        Bundle b1 = new DiffusionConverter(given::add).convert(dit(DIT), plain, tmp.resolve("b1"), o, Map.of("latentScalingFactor", "1"));
        assertFalse(given.stream().anyMatch(l -> l.contains("latent scaling factor")), given.toString());
        assertEquals("1.0", b1.manifest().pipeline().get("latentScalingFactor"));

        List<String> taesd = new ArrayList<>();
        new DiffusionConverter(taesd::add).convert(dit(DIT), decoder(8, 4), tmp.resolve("b2"), o, Map.of());
        assertFalse(taesd.stream().anyMatch(l -> l.contains("latent scaling factor")), "TAESD says its factor: " + taesd);
    }

    @Test
    void fp16VariantsCarryNoiseAndFinalLatentFidelity() throws Exception {
        List<String> log = new ArrayList<>();
        Bundle b = new DiffusionConverter(log::add).convert(dit(DIT), decoder(0, 4), tmp.resolve("b"),
                options().precisions(List.of(Precision.FP32, Precision.FP16)).build(), Map.of());

        assertEquals(List.of("fp32-vanilla", "fp16-vanilla"), b.manifest().variants(Role.DENOISER).stream().map(Variant::id).toList());
        assertEquals(List.of("fp32-decoder", "fp16-decoder"), b.manifest().variants(Role.DECODER).stream().map(Variant::id).toList());
        Report den = report(b, "fp16-vanilla");
        assertEquals("fp32-vanilla", den.reference());
        for (String t : new String[] {"999", "500", "100"}) {
            double cos = den.metrics().get("noiseCosine_t" + t);
            assertTrue(cos >= PrecisionOptions.DEFAULT_MIN_COSINE && cos < 1.0, "FP16 changes the noise a little at t=" + t + ": " + cos);
        }
        assertEquals(den.metrics().get("noiseCosineMin"), den.metrics().get("cosine"), "the gate reads the worst timestep");
        double latentCos = den.metrics().get("finalLatentCosine");
        assertTrue(latentCos > 0.99 && latentCos < 1.0, "final latents after " + DenoiserFidelity.GENERATION_STEPS + " steps: " + latentCos);
        assertTrue(den.metrics().get("finalLatentMaxAbsDiff") > 0, den.metrics().toString());
        assertTrue(den.notes().stream().anyMatch(n -> n.contains("final latents of a 8-step")), den.notes().toString());
        Report dec = report(b, "fp16-decoder");
        assertTrue(dec.metrics().get("cosine") >= PrecisionOptions.DEFAULT_MIN_COSINE, dec.metrics().toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("fp16-vanilla: predicted-noise cosine vs fp32 t=999")), log.toString());
    }

    @Test
    void int8VariantIsCalibratedOnGenerationsAndCarriesNoiseAndFinalLatentFidelity() throws Exception {
        List<String> log = new ArrayList<>();
        Bundle b = new DiffusionConverter(log::add).convert(dit(DIT), decoder(0, 4), tmp.resolve("b"),
                options().precisions(List.of(Precision.FP32, Precision.INT8)).build(), Map.of());

        assertEquals(List.of("fp32-vanilla", "int8-vanilla"), b.manifest().variants(Role.DENOISER).stream().map(Variant::id).toList(),
                log.toString());
        assertEquals(List.of("fp32-decoder"), b.manifest().variants(Role.DECODER).stream().map(Variant::id).toList());
        assertTrue(log.contains("int8: built for the denoiser only; the decoder stays fp32 (it runs once per image, not once per step)"),
                log.toString());
        assertTrue(b.manifest().variant("fp32-decoder").orElseThrow().attributes().get("leftOut.int8").contains("denoiser only"));
        Variant v = b.manifest().variant("int8-vanilla").orElseThrow();
        // 4 generations × 25 steps (the bundle's default) × a class row and a null-class row
        assertEquals("200 denoiser inputs along 4 seeded 25-step dpm++2m fp32 generations (seeds 4321..4324, a seeded class each,"
                + " guidance 4.0: class and null-class rows)", v.attributes().get("calibration"));
        assertEquals("ort-cpu", v.attributes().get("profile"));
        assertTrue(Integer.parseInt(v.attributes().get("quantizedLayers")) > 0, v.attributes().toString());
        assertTrue(OnnxModel.load(b.resolve(v)).graph().nodes().stream().anyMatch(n -> n.is("QuantizeLinear")), "a QDQ model");

        Report r = report(b, "int8-vanilla");
        assertEquals("fp32-vanilla", r.reference());
        // a seeded DiT's blocks barely reach its output (small adaLN gates): INT8 shows on the trained fixture
        // (TrainedDiffusionFidelityTest); here the report must be there and in range
        for (String t : new String[] {"999", "500", "100"}) {
            double cos = r.metrics().get("noiseCosine_t" + t);
            assertTrue(cos >= PrecisionOptions.DEFAULT_MIN_COSINE && cos <= 1 + 1e-9, "t=" + t + ": " + cos);
            assertTrue(r.metrics().get("noiseMaxRelError_t" + t) > 0, "INT8 changes the noise at t=" + t + ": " + r.metrics());
        }
        assertEquals(r.metrics().get("noiseCosineMin"), r.metrics().get("cosine"), "the gate reads the worst timestep");
        assertFalse(r.layers().isEmpty(), "the per-layer SQNR of the held-out generation");
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("layers: per-layer SQNR on ")), "which inputs the layers are on: "
                + r.notes());
        assertTrue(r.metrics().get("finalLatentMaxAbsDiff") > 0 && r.metrics().containsKey("finalLatentRelRms"), r.metrics().toString());
        // the timestep embedder, adaLN modulation and attention BMMs stay float (benchmarks/int8-diffusion-trained-digits-cpu-2026-12-03.md)
        for (String kept : List.of("float: t_embedder.mlp.0 ", "float: blocks.0.adaLN_modulation.1 ", "float: blocks.0.attn/MatMul_1 ")) {
            assertTrue(r.notes().stream().anyMatch(n -> n.startsWith(kept)), kept + " in " + r.notes());
        }
        assertTrue(log.stream().anyMatch(l -> l.startsWith("int8-vanilla: predicted-noise cosine vs fp32 t=999 ")), log.toString());

        try (ImageGenerator g = Jedge.loadGenerator(b.dir(), LoadOptions.builder().threads(1).watchPower(false).build())) {
            assertEquals("int8-vanilla", g.selections().get(0).variantId(), "an INT8 denoiser whose report holds the floor is chosen");
            GenerationResult out = g.generate(g.options().classLabel(3).steps(2).build(), p -> { });
            assertEquals(4 * 8 * 8, out.latents().elementCount());
        }
    }

    @Test
    void anFp16VariantBelowTheFloorIsLeftOutAndTheManifestSaysWhy() throws Exception {
        List<String> log = new ArrayList<>();
        ConversionOptions o = options().precisions(List.of(Precision.FP32, Precision.FP16))
                .precision(PrecisionOptions.builder().minCosine(0.999999999).build()).build();

        Bundle b = new DiffusionConverter(log::add).convert(dit(DIT), decoder(8, 4), tmp.resolve("b"), o, Map.of());

        assertEquals(List.of("fp32-vanilla", "fp32-decoder"), b.manifest().variants().stream().map(Variant::id).toList());
        assertFalse(Files.exists(tmp.resolve("b").resolve("fp16-vanilla.onnx")));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("fp16-vanilla left out: its worst predicted-noise cosine")
                && l.contains("--min-cosine 0.999999999")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("fp16-decoder left out")), log.toString());
        String why = b.manifest().variant("fp32-vanilla").orElseThrow().attributes().get("leftOut.fp16");
        assertTrue(why != null && why.startsWith("its worst predicted-noise cosine ") && why.contains(" is below --min-cosine 0.999999999 ("),
                "the manifest says why, with what to try: " + why);
        assertTrue(b.manifest().variant("fp32-decoder").orElseThrow().attributes().get("leftOut.fp16").contains("image cosine"));
    }

    /**
     * A floor only FP32 holds and a loop budget for every layer: each layer kept float alone raises the worst predicted-noise
     * cosine (blocks.1.attn.proj alone float does no better than none on this seeded DiT, so it is named float), so the loop
     * keeps them all float. That model is fp32-vanilla under another name: int8-vanilla is left out (it was written, with
     * no INT8 layer) and fp32-vanilla records why.
     */
    @Test
    void anInt8DenoiserWhoseLoopKeptEveryLayerFloatIsLeftOutAndTheManifestSaysWhy() throws Exception {
        List<String> log = new ArrayList<>();
        ConversionOptions o = options().precisions(List.of(Precision.FP32, Precision.INT8)).precision(PrecisionOptions.builder()
                .minCosine(1.0).int8(Int8Options.builder().excludeLayers(List.of("blocks.1.attn.proj")).maxAutoExclude(100).build())
                .build()).build();

        Bundle b = new DiffusionConverter(log::add).convert(dit(DIT), decoder(0, 4), tmp.resolve("b"), o, Map.of());

        assertEquals(List.of("fp32-vanilla"), b.manifest().variants(Role.DENOISER).stream().map(Variant::id).toList(), log.toString());
        String why = b.manifest().variant("fp32-vanilla").orElseThrow().attributes().get("leftOut.int8");
        assertTrue(why != null && why.matches("every INT8 layer had to stay float to hold --min-cosine 1\\.0 \\(the validation"
                + " loop kept all \\d+ float\\); fp32-vanilla already covers this \\(for INT8 layers, lower --min-cosine or try"
                + " another --calibrator\\)"), why + " in " + log);
        assertTrue(log.contains("int8-vanilla left out: " + why), log.toString());
        assertTrue(b.manifest().reports().stream().noneMatch(r -> r.variant().startsWith("int8")), b.manifest().reports().toString());
    }

    /**
     * {@code --profile tensorrt}: symmetric int8 Q/DQ (zero points 0), the form TensorRT's strongly typed parse takes, with
     * nothing {@link EngineStage} would refuse; its engine would carry the report. TensorRT itself runs in the GPU scripts.
     */
    @Test
    void anInt8DenoiserForTensorRtIsSymmetricQdqThatTheEngineStageTakes() throws Exception {
        PrecisionOptions po = PrecisionOptions.builder().int8(Int8Options.builder().profile(QuantProfile.TENSORRT).build()).build();
        Bundle b = new DiffusionConverter(l -> { }).convert(dit(DIT), decoder(0, 4), tmp.resolve("b"),
                options().precisions(List.of(Precision.FP32, Precision.INT8)).precision(po).build(), Map.of());
        Variant v = b.manifest().variant("int8-vanilla").orElseThrow();
        assertEquals("tensorrt", v.attributes().get("profile"));
        // written for TensorRT, every variant is TensorRT-ready (as a classifier convert's are), so build-engines builds it
        for (Variant each : b.manifest().variants()) {
            assertEquals("true", each.attributes().get("tensorrtReady"), each.id());
        }
        OnnxModel m = OnnxModel.load(b.resolve(v));
        List<io.jedge.converters.onnx.Node> qs = m.graph().nodes().stream().filter(n -> n.is("QuantizeLinear")).toList();
        assertFalse(qs.isEmpty());
        for (io.jedge.converters.onnx.Node q : qs) {
            ai.onnx.proto.OnnxMl.TensorProto zp = m.graph().constant(q.input(2)).orElseThrow();
            assertEquals(io.jedge.converters.onnx.TensorData.INT8, zp.getDataType(), q.name());
            assertEquals(0, zp.getRawData().byteAt(0), q.name() + ": TensorRT takes zero point 0 only");
        }
        EngineStage.requireBuildable(m, b.resolve(v)); // nothing its parser lacks
        // the Q/DQ pairs sit on the linear layers' inputs, so the engine stage's attention rewrites (lowering, scale folding)
        // find every attention block of the FP32 model in the INT8 one too
        java.util.function.Function<OnnxModel, List<String>> blocks = x -> io.jedge.converters.attention.AttentionFinder.find(x).stream()
                .filter(k -> k.form() != io.jedge.converters.attention.AttentionBlock.Form.UNRECOGNISED).map(k -> k.layer()).toList();
        List<String> fp32Blocks = blocks.apply(OnnxModel.load(b.resolve(b.manifest().variant("fp32-vanilla").orElseThrow())));
        assertEquals(List.of("blocks.0.attn", "blocks.1.attn"), fp32Blocks);
        assertEquals(fp32Blocks, blocks.apply(m));
        io.jedge.converters.bundle.BundleAssembler a = new io.jedge.converters.bundle.BundleAssembler(tmp.resolve("e"), "m");
        a.report(report(b, "int8-vanilla"));
        EngineStage.carryReports(a, "int8-vanilla", "int8-vanilla-trt");
        assertEquals(report(b, "int8-vanilla").metrics().get("noiseCosineMin"), a.reports("int8-vanilla-trt").get(0).metrics().get("cosine"));
    }

    @Test
    void elfattReportCarriesTheFinalLatentDifference() throws Exception {
        Bundle b = new DiffusionConverter(l -> { }).convert(dit(DIT), decoder(8, 4), tmp.resolve("b"),
                options().attention(List.of("keep", "elfatt-sd")).build(), Map.of());
        Report r = report(b, "fp32-elfatt-sd");
        assertTrue(r.metrics().containsKey("noiseCosine_t500") && r.metrics().containsKey("finalLatentRelRms"), r.metrics().toString());
        assertTrue(r.metrics().get("finalLatentCosine") <= 1.0 + 1e-9 && r.metrics().get("finalLatentCosine") > 0.5, r.metrics().toString());
        assertEquals(r.metrics().get("noiseCosineMin"), r.metrics().get("cosine"), "the floor reads the worst timestep, as FP16/INT8's does");
        assertTrue(r.metrics().containsKey("outputCosine"), "the mean output cosine is kept under its own name: " + r.metrics());
        assertTrue(r.notes().contains(DenoiserFidelity.GATE_NOTE), r.notes().toString());
        assertEquals(1, r.notes().stream().filter(n -> n.startsWith("cosine is")).count(), "said once: " + r.notes());
        assertEquals(2, r.layers().size(), "per-layer figures of both blocks: " + r.layers());
    }

    @Test
    void mismatchedLatentSizesAreRefusedBeforeAnyVariant() throws Exception {
        Path bundle = tmp.resolve("b");
        Path den = dit(DIT);
        Path dec = decoder(4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DiffusionConverter(l -> { }).convert(den, dec, bundle, options().build(), Map.of()));
        assertTrue(e.getMessage().contains(den.getFileName() + " makes latents [N,4,8,8]") && e.getMessage().contains(dec.getFileName()
                + " takes 'latents' [batch,4,4,4]"), e.getMessage());
        assertFalse(Files.exists(bundle), "nothing is written");
    }

    @Test
    void mismatchedChannelCountsAreRefusedNamingBothSides() {
        Path den = dit(DIT);
        Path dec = decoder(0, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DiffusionConverter(l -> { }).convert(den, dec, tmp.resolve("b"), options().build(), Map.of()));
        assertTrue(e.getMessage().contains("[N,4,8,8]") && e.getMessage().contains("[batch,8,latent_height,latent_width]")
                && e.getMessage().contains("--latent-channels 4"), e.getMessage());
    }

    @Test
    void unsupportedOptionsAreRefusedBeforeLoadingAnything() {
        Path missing = tmp.resolve("none.onnx"); // never read: the options fail first
        DiffusionConverter c = new DiffusionConverter(l -> { });
        IllegalArgumentException int8 = assertThrows(IllegalArgumentException.class, () -> c.convert(missing, missing, tmp.resolve("b"),
                options().precisions(List.of(Precision.FP32, Precision.INT8)).engines(TrtBuildOptions.builder().batch(1, 2, 8).build())
                        .build(), Map.of()));
        assertEquals("--precision int8 with --engines tensorrt needs --profile tensorrt: TensorRT takes symmetric int8 Q/DQ only,"
                + " and the ort-cpu profile writes uint8 activations", int8.getMessage());
        IllegalArgumentException noFp32 = assertThrows(IllegalArgumentException.class, () -> c.convert(missing, missing, tmp.resolve("b"),
                options().precisions(List.of(Precision.FP16, Precision.INT8)).build(), Map.of()));
        assertTrue(noFp32.getMessage().startsWith("--precision [fp16, int8] for a latent-diffusion bundle, expected fp32 among them"),
                noFp32.getMessage());
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class, () -> c.convert(missing, missing, tmp.resolve("b"),
                options().labels(List.of("cat")).build(), Map.of()));
        assertTrue(labels.getMessage().contains("--labels"), labels.getMessage());
    }

    /**
     * ToMe for TensorRT on a denoiser of 6400 tokens (80×80 at latent 160): its similarity TopK would sort 4800 sources,
     * past TensorRT's 3840, so convert refuses in one line before choosing any block. (--engines tensorrt fails earlier
     * here, where TensorRT is absent; --profile tensorrt reaches the same check.)
     */
    @Test
    void tomeForTensorRtPastItsTopKLimitIsRefusedBeforeAnyWork() {
        Path big = dit(DitConfig.preset("tiny").withLatentSize(160).withClasses(10));
        PrecisionOptions trt = PrecisionOptions.builder().int8(Int8Options.builder().profile(QuantProfile.TENSORRT).build()).build();
        Path bundle = tmp.resolve("b");
        for (List<String> forms : List.of(List.of("keep", "tome"), List.of("keep", "elfatt-sd+tome"))) {
            List<String> log = new ArrayList<>();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DiffusionConverter(log::add).convert(
                    big, decoder(0, 4), bundle, options().attention(forms).precision(trt).build(), Map.of()));
            String m = e.getMessage();
            assertTrue(m.startsWith("--attention " + forms.get(1) + " with --profile tensorrt: ") && m.contains("at most 3840")
                    && m.contains("up to 6400 tokens") && m.contains("smaller latent") && !m.contains("\n"), m);
            assertEquals(List.of(), log, "no block chosen or variant made before the refusal");
            assertFalse(Files.exists(bundle));
        }
    }

    @Test
    void enginesWithoutTensorRtFailBeforeAnyWork() {
        Assumptions.assumeTrue(TrtEngineBuilder.unavailableReason().isPresent(), "TensorRT is present here; the GPU run covers engines");
        Path bundle = tmp.resolve("b");
        PrecisionOptions trt = PrecisionOptions.builder().int8(Int8Options.builder().profile(QuantProfile.TENSORRT).build()).build();
        for (ConversionOptions o : List.of(options().engines(TrtBuildOptions.builder().batch(1, 2, 8).build()).build(),
                options().precisions(List.of(Precision.FP32, Precision.INT8)).precision(trt)
                        .engines(TrtBuildOptions.builder().batch(1, 2, 8).build()).build())) {
            List<String> log = new ArrayList<>();
            JedgeException e = assertThrows(JedgeException.class,
                    () -> new DiffusionConverter(log::add).convert(dit(DIT), decoder(0, 4), bundle, o, Map.of()));
            assertEquals(JedgeException.Code.BACKEND_UNAVAILABLE, e.code());
            assertTrue(e.getMessage().startsWith("--engines tensorrt: ") && !e.getMessage().contains("\n"), e.getMessage());
            assertEquals(List.of(), log, "no calibration or variant before the refusal");
            assertFalse(Files.exists(bundle));
        }
    }

    @Test
    void aDynamicDecoderIsPinnedToTheLatentSizeForItsEngine() {
        OnnxModel m = TaesdDecoderBuilder.build(new TaesdDecoderConfig(0, 4, true), new SeededWeights(1));
        assertTrue(EngineStage.pinInputs(m, Map.of("latents", new long[] {-1, 4, 16, 12})));
        assertArrayEquals(new long[] {-1, 4, 16, 12}, Graph.dims(m.graph().inputs().get(0)));
        assertFalse(EngineStage.pinInputs(m, Map.of("latents", new long[] {-1, 4, 16, 12})), "already static: nothing to pin");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineStage.pinInputs(m, Map.of("latents", new long[] {-1, 16, 12})));
        assertTrue(e.getMessage().contains("expected rank 3"), e.getMessage());
    }

    @Test
    void anEngineCarriesItsSourceVariantsReports() {
        io.jedge.converters.bundle.BundleAssembler a = new io.jedge.converters.bundle.BundleAssembler(tmp.resolve("b"), "m");
        a.report(new Report("accuracy", "fp16-vanilla", "fp32-vanilla", "seeded", Map.of("cosine", 0.997), List.of(), List.of()));
        a.report(new Report("accuracy", "fp16-decoder", "fp32-decoder", "seeded", Map.of("cosine", 0.5), List.of(), List.of()));
        EngineStage.carryReports(a, "fp16-vanilla", "fp16-vanilla-trt");
        List<Report> carried = a.reports("fp16-vanilla-trt");
        assertEquals(1, carried.size(), carried.toString());
        assertEquals(0.997, carried.get(0).metrics().get("cosine"));
        assertTrue(carried.get(0).notes().get(0).contains("measured on ONNX variant fp16-vanilla"), carried.get(0).notes().toString());
    }

    private static Report report(Bundle b, String variant) {
        return b.manifest().reports().stream().filter(r -> r.variant().equals(variant)).findFirst()
                .orElseThrow(() -> new AssertionError("no report for " + variant + " in " + b.manifest().reports()));
    }
}
