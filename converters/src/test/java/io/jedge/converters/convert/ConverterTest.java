package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Fixtures;
import io.jedge.converters.attention.FidelityFloor;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Variant;
import io.jedge.runtime.selection.AttentionCrossover;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConverterTest {
    @TempDir
    Path tmp;

    @Test
    void fixtureRewriteWritesBothVariantsAndAFidelityReport() throws Exception {
        Path model = Fixtures.torchExport("vit224_dynamo_op23").resolve("model.onnx");
        List<String> log = new ArrayList<>();
        Bundle b = new Converter(log::add).convert(model, tmp.resolve("b"),
                ConversionOptions.builder().attention(List.of("keep", "elfatt-sd")).build());
        assertEquals(2, b.manifest().variants().size());
        assertEquals(AttentionKind.ELFATT_SD, b.manifest().variant("fp32-elfatt-sd").orElseThrow().attention());
        Report r = b.manifest().reports().stream().filter(x -> x.kind().equals("fidelity")).findFirst().orElseThrow();
        assertEquals("fp32-elfatt-sd", r.variant());
        double cos = r.metrics().get("cosine");
        assertTrue(cos > 0.9 && cos <= 1.0, "cosine " + cos);
        assertEquals(2, r.layers().size(), "one entry per rewritten attention block");
        assertTrue(log.stream().anyMatch(l -> l.contains("elfatt-sd: rewrote layers [0, 1]")), log.toString());
        // at 197 tokens ELFATT is measured slower than vanilla on ONNX Runtime CPU: the bundle says why it is not the default
        Variant e = Bundle.load(b.dir()).manifest().variant("fp32-elfatt-sd").orElseThrow(); // the written bundle validates
        assertEquals("197", e.attributes().get("tokens"));
        String note = e.attributes().getOrDefault("notDefault", "");
        assertTrue(note.contains("197 tokens") && note.contains(String.format(java.util.Locale.ROOT, "%.2fx", AttentionCrossover.ratio("ort-cpu", 197)))
                && note.contains("ONNX Runtime CPU"), note);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("variant fp32-elfatt-sd is not the default: ")), log.toString());
        assertTrue(b.manifest().variant("fp32-vanilla").orElseThrow().attributes().get("notDefault") == null);
    }

    @Test
    void elfattOnlyBundleSaysAVanillaModelWouldBeFaster() throws Exception {
        Path model = tmp.resolve("elfatt.onnx");
        io.jedge.converters.models.VitBuilder.build(new io.jedge.converters.models.VitConfig(64, 16, 32, 1, 2, 2, 10),
                new io.jedge.converters.models.SeededWeights(1), new io.jedge.converters.attention.ElfattAttention()).save(model);
        List<String> log = new ArrayList<>();
        Bundle b = new Converter(log::add).convert(model, tmp.resolve("e"), ConversionOptions.builder().build());
        Variant e = b.manifest().variant("fp32-elfatt").orElseThrow();
        assertEquals("17", e.attributes().get("tokens"));
        assertTrue(!e.attributes().containsKey("notDefault"), "the only variant is the default: " + e.attributes());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("variant fp32-elfatt: ELFATT at 17 tokens") && l.contains("no vanilla variant")),
                log.toString());
    }

    @Test
    void aClassCountTheExportLeftSymbolicIsInferred() throws Exception {
        // torch's legacy exporter writes hf_dinov2's output as [batch, Gatherlogits_dim_1]: bundled as generic, and 5 labels
        // for its 32 classes went through unchecked
        Path model = io.jedge.converters.Corpus.folder("hf_dinov2_legacy").resolve("model.onnx");
        List<String> five = List.of("a", "b", "c", "d", "e");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Converter(l -> { }).convert(model,
                tmp.resolve("five"), ConversionOptions.builder().labels(five).build()));
        assertEquals("--labels: 5 labels, but output 'logits' [-1, 32] has 32 classes (one label per class, in class order)",
                e.getMessage());
        Bundle b = new Converter(l -> { }).convert(model, tmp.resolve("b"), ConversionOptions.builder().build());
        assertEquals(io.jedge.sdk.bundle.Task.IMAGE_CLASSIFICATION, b.manifest().task());
        assertEquals(List.of(-1L, 32L), b.manifest().outputs().get(0).shape());
        Bundle.load(b.dir()); // the bundle it wrote loads
    }

    @Test
    void theFidelityReportNamesTheHeldOutSamplesItRanOn() throws Exception {
        // the report said "4 given inputs": the 25 held-out samples of calib_x.npy, counted as the batches they ran in
        Path model = io.jedge.converters.Corpus.folder("digits_vit_legacy").resolve("model.onnx");
        Path calib = io.jedge.converters.Corpus.folder("digits_data").resolve("calib_x.npy");
        List<String> log = new ArrayList<>();
        Bundle b = new Converter(log::add).convert(model, tmp.resolve("d"), ConversionOptions.builder()
                .attention(List.of("keep", "elfatt-sd")).precision(io.jedge.converters.precision.PrecisionOptions.builder()
                        .calibrationDir(calib).build()).build());
        Report r = b.manifest().reports().stream().filter(x -> x.kind().equals("fidelity")).findFirst().orElseThrow();
        assertEquals("25 of the 128 samples from " + calib + " (held out: every fifth)", r.inputs());
        assertTrue(log.stream().anyMatch(l -> l.contains("on " + r.inputs())), log.toString());
    }

    @Test
    void aKeepFp32OrExcludeLayersNameThatMatchesNothingIsRefusedBeforeAnyWork() throws Exception {
        // a misspelt --keep-fp32 Softmx or --exclude-layers nope.* converted as if the option were not there
        Path model = io.jedge.converters.Corpus.folder("timm_vit_legacy").resolve("model.onnx");
        List<io.jedge.sdk.bundle.Precision> both = List.of(io.jedge.sdk.bundle.Precision.FP16, io.jedge.sdk.bundle.Precision.INT8);
        List<String> log = new ArrayList<>();
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class, () -> new Converter(log::add).convert(model,
                tmp.resolve("k"), ConversionOptions.builder().precisions(both).precision(io.jedge.converters.precision.PrecisionOptions
                        .builder().fp16(io.jedge.converters.precision.Fp16Options.builder().keepFp32("Softmx").build()).build()).build()));
        assertTrue(typo.getMessage().startsWith("--keep-fp32 'Softmx' names no op type or node of the model; its op types are Add, "),
                typo.getMessage());
        IllegalArgumentException glob = assertThrows(IllegalArgumentException.class, () -> new Converter(log::add).convert(model,
                tmp.resolve("x"), ConversionOptions.builder().precisions(both).precision(io.jedge.converters.precision.PrecisionOptions
                        .builder().int8(io.jedge.converters.precision.Int8Options.builder().excludeLayers(List.of("nope.*")).build())
                        .build()).build()));
        assertTrue(glob.getMessage().startsWith("--exclude-layers 'nope.*' names no INT8 layer of the model; its "), glob.getMessage());
        assertEquals(List.of(), log, "refused before any work");
        // names that exist pass: an op type, a node glob and a layer glob
        Bundle b = new Converter(log::add).convert(model, tmp.resolve("ok"), ConversionOptions.builder().precisions(both)
                .precision(io.jedge.converters.precision.PrecisionOptions.builder().calibrationSeeded(4).validationInputs(2)
                        .fp16(io.jedge.converters.precision.Fp16Options.builder().keepFp32("Softmax", "/blocks/blocks.0/*").build())
                        .int8(io.jedge.converters.precision.Int8Options.builder().excludeLayers(List.of("/blocks/blocks.1/*")).build())
                        .build()).build());
        assertEquals(2, b.manifest().variants().size());
    }

    @Test
    void aNameWithAControlCharacterIsRefusedBeforeAnyWork() {
        // it was refused only when the staged bundle.json was read back, after every variant was built, naming the staging file
        Path model = io.jedge.converters.Corpus.folder("timm_vit_legacy").resolve("model.onnx");
        List<String> log = new ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Converter(log::add).convert(model,
                tmp.resolve("n"), ConversionOptions.builder().name("a\u001b[31mb").build()));
        assertEquals("--name 'a\\u001b[31mb' holds control characters; expected plain text", e.getMessage());
        assertEquals(List.of(), log, "refused before any work");
    }

    @Test
    void fidelityMinOfOneConvertsNothing() throws Exception {
        Path model = Fixtures.torchExport("vit224_legacy_op17").resolve("model.onnx");
        List<String> log = new ArrayList<>();
        Bundle b = new Converter(log::add).convert(model, tmp.resolve("c"),
                ConversionOptions.builder().attention(List.of("keep", "elfatt-sd")).fidelity(new FidelityFloor(1.0, 0)).build());
        assertEquals(1, b.manifest().variants().size(), "no layer keeps cosine 1.0");
        assertTrue(log.stream().anyMatch(l -> l.contains("elfatt-sd left out: no layer keeps")), log.toString());
    }

    @Test
    void int8EnginesInTheOrtCpuLayoutAreRefusedBeforeAnyWork() {
        Path missing = tmp.resolve("none.onnx"); // never read: the options fail first
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Converter(l -> { }).convert(missing,
                tmp.resolve("b"), ConversionOptions.builder().precisions(List.of(io.jedge.sdk.bundle.Precision.FP32,
                        io.jedge.sdk.bundle.Precision.INT8)).engines(io.jedge.runtime.backend.trt.build.TrtBuildOptions.builder()
                        .batch(1, 1, 8).build()).build()));
        assertEquals("--precision int8 with --engines tensorrt needs --profile tensorrt: TensorRT takes symmetric int8 Q/DQ only,"
                + " and the ort-cpu profile writes uint8 activations", e.getMessage());
        assertFalse(java.nio.file.Files.exists(tmp.resolve("b")), "nothing written");
    }

    @Test
    void swinHasNoRewritableBlock() {
        Path model = Fixtures.torchExport("swin224_dynamo_op18").resolve("model.onnx");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Converter(l -> { }).convert(model,
                tmp.resolve("d"), ConversionOptions.builder().attention(List.of("elfatt-sd")).build()));
        assertTrue(e.getMessage().startsWith("nothing to write: elfatt-sd: none of its"), e.getMessage());
        assertTrue(e.getMessage().endsWith("add --attention keep"), e.getMessage());
    }

    @Test
    void keepIsWrittenWhenNoBlockIsRewritable() throws Exception {
        Path model = Fixtures.torchExport("swin224_dynamo_op18").resolve("model.onnx");
        List<String> log = new ArrayList<>();
        Bundle b = new Converter(log::add).convert(model, tmp.resolve("e"),
                ConversionOptions.builder().attention(List.of("keep", "elfatt-sd")).build());
        assertEquals(List.of("fp32-vanilla"), b.manifest().variants().stream().map(v -> v.id()).toList());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("elfatt-sd left out: none of its")), log.toString());
    }
}
