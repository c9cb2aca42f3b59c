package io.jedge.converters.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.Converter;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conversion with FP16/INT8: variants, accuracy reports and the refusal below --min-cosine. */
class PrecisionConvertTest {
    @TempDir
    Path tmp;

    private Path model() {
        Path p = tmp.resolve("vit.onnx");
        OnnxModel m = Fp16ConverterTest.smallVit(32, 8);
        m.save(p);
        return p;
    }

    @Test
    void bundleCarriesFp16AndInt8VariantsWithAccuracyReports() throws Exception {
        List<String> lines = new ArrayList<>();
        PrecisionOptions po = PrecisionOptions.builder().calibrationSeeded(8).validationInputs(8).build();
        Bundle b = new Converter(lines::add).convert(model(), tmp.resolve("bundle"), ConversionOptions.builder()
                .precisions(List.of(Precision.FP32, Precision.FP16, Precision.INT8)).precision(po).build());
        List<String> ids = b.manifest().variants().stream().map(Variant::id).toList();
        assertEquals(List.of("fp32-vanilla", "fp16-vanilla", "int8-vanilla"), ids);
        List<Report> reports = b.manifest().reports();
        assertEquals(2, reports.size());
        for (Report r : reports) {
            assertEquals("accuracy", r.kind());
            assertEquals("fp32", r.reference());
            assertEquals(Set.of("cosine", "sqnrDb", "maxAbsError", "top1Agreement"), r.metrics().keySet());
            assertTrue(r.metrics().get("cosine") >= 0.99, r.toString());
            assertFalse(r.layers().isEmpty());
            assertTrue(r.layers().get(0).metrics().containsKey("sqnrDb"));
            assertTrue(r.inputs().contains("seeded") && r.inputs().contains("seed 1001"), r.inputs());
        }
        Variant int8 = b.manifest().variants().get(2);
        assertEquals("ort-cpu", int8.attributes().get("profile"));
        assertEquals("entropy", int8.attributes().get("calibrator"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("int8-vanilla: calibration 8/8 inputs")), lines.toString());
        OnnxModel written = OnnxModel.load(b.dir().resolve(int8.file()));
        assertTrue(written.graph().nodes().stream().anyMatch(n -> n.is("DequantizeLinear")));
    }

    @Test
    void refusesAVariantBelowMinCosineNamingLayersAndWritesNothing() {
        Path bundle = tmp.resolve("refused");
        PrecisionOptions po = PrecisionOptions.builder().calibrationSeeded(4).validationInputs(4).minCosine(0.99999)
                .int8(Int8Options.builder().maxAutoExclude(1).build()).build();
        AccuracyTargetException e = assertThrows(AccuracyTargetException.class, () -> new Converter(l -> { })
                .convert(model(), bundle, ConversionOptions.builder().precisions(List.of(Precision.FP32, Precision.INT8))
                        .precision(po).build()));
        assertEquals("int8-vanilla", e.variant());
        assertEquals(3, e.suggestedLayers().size());
        assertTrue(e.getMessage().contains("--exclude-layers " + String.join(",", e.suggestedLayers())), e.getMessage());
        assertTrue(e.getMessage().contains("below --min-cosine 0.99999"), e.getMessage());
        assertTrue(e.suggestedLayers().stream().allMatch(l -> l.startsWith("blocks.")), e.suggestedLayers().toString());
        assertFalse(Files.exists(bundle), "nothing may be written for a refused conversion");
    }

    /**
     * A floor only FP32 holds and a loop budget for every layer: the SQNR-ranked loop keeps all of them float, which is
     * the FP32 model, not an INT8 variant. It is left out (it was written as int8-vanilla, with no INT8 layer) and
     * fp32-vanilla records why, as a latent-diffusion bundle records its left-out precisions.
     */
    @Test
    void anInt8VariantWhoseLoopKeptEveryLayerFloatIsLeftOutAndTheManifestSaysWhy() throws Exception {
        List<String> lines = new ArrayList<>();
        Path bundle = tmp.resolve("bundle");
        PrecisionOptions po = PrecisionOptions.builder().calibrationSeeded(4).validationInputs(4).minCosine(0.99999999)
                .int8(Int8Options.builder().maxAutoExclude(100).build()).build();
        Bundle b = new Converter(lines::add).convert(model(), bundle, ConversionOptions.builder()
                .precisions(List.of(Precision.FP32, Precision.INT8)).precision(po).build());

        assertEquals(List.of("fp32-vanilla"), b.manifest().variants().stream().map(Variant::id).toList(), lines.toString());
        String why = b.manifest().variant("fp32-vanilla").orElseThrow().attributes().get("leftOut.int8");
        assertEquals("every INT8 layer had to stay float to hold --min-cosine 0.99999999 (the validation loop kept all 8 float);"
                + " fp32-vanilla already covers this (for INT8 layers, lower --min-cosine or try another --calibrator)", why);
        assertTrue(lines.contains("int8-vanilla left out: " + why), lines.toString());
        assertEquals(List.of(), b.manifest().reports());
        try (var files = Files.list(b.dir())) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("int8")).toList());
        }
    }

    /** Without an FP32 variant to stand in, an INT8 variant with no INT8 layer fails the conversion, saying what to add. */
    @Test
    void anInt8VariantWithNoInt8LayerAndNoFp32VariantFailsTheConversion() {
        Path bundle = tmp.resolve("refused");
        PrecisionOptions po = PrecisionOptions.builder().calibrationSeeded(4).validationInputs(4)
                .int8(Int8Options.builder().excludeLayers(List.of("blocks.*")).build()).build();
        NoInt8LayerException e = assertThrows(NoInt8LayerException.class, () -> new Converter(l -> { }).convert(model(), bundle,
                ConversionOptions.builder().precisions(List.of(Precision.INT8)).precision(po).build()));
        assertEquals("int8-vanilla", e.variant());
        assertTrue(e.reason().startsWith("the INT8 plan keeps all ") && e.reason().contains("excluded by --exclude-layers"), e.reason());
        assertTrue(e.getMessage().contains("for INT8 layers, name fewer layers in --exclude-layers"), e.getMessage());
        assertTrue(e.getMessage().endsWith(", or add fp32 to --precision to write the bundle without int8-vanilla"), e.getMessage());
        assertFalse(Files.exists(bundle), "nothing may be written for a refused conversion");
    }
}
