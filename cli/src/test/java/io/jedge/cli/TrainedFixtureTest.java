package io.jedge.cli;

import static io.jedge.cli.JedgeCliTest.jedge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.attention.ElfattSdRewrite;
import io.jedge.converters.attention.FidelityFloor;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.TensorFiles;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Variant;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ViT trained on scikit-learn's digits (tools/corpus/make_corpus.py; 99.2% held-out top-1 in
 * torch) through convert, selection and eval: a trained model is where an approximate variant
 * shows its cost, which random weights hide.
 */
class TrainedFixtureTest {
    static final Path CORPUS = Path.of("../converters/src/test/resources/corpus");
    static final Path TEST_X = CORPUS.resolve("digits_data/test_x.npy");
    static final Path TEST_Y = CORPUS.resolve("digits_data/test_y.npy");
    static final Path CALIB = CORPUS.resolve("digits_data/calib_x.npy");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"legacy", "dynamo"})
    void elfattSdIsWrittenOnlyWithTheLayersThatKeepTheFloor(String exporter) throws Exception {
        Path model = CORPUS.resolve("digits_vit_" + exporter + "/model.onnx");
        Tensor x = TensorFiles.readNpy(TEST_X);
        long[] y = TensorFiles.readNpy(TEST_Y).longs();
        double fp32 = accuracy(OnnxModel.load(model), x, y);
        assertTrue(fp32 > 0.98, "the fixture is a trained model: " + fp32);
        // the whole-model rewrite is what the floor must keep out: it loses many points on real digits
        OnnxModel all = ElfattSdRewrite.rewrite(OnnxModel.load(model), ElfattSdOptions.defaults()).model();
        double allLayers = accuracy(all, x, y);
        assertTrue(allLayers < fp32 - 0.05, "rewriting every layer costs " + (fp32 - allLayers));

        Path bundle = tmp.resolve("b");
        JedgeCliTest.Result r = jedge("convert", model.toString(), "-o", bundle.toString(), "--attention", "keep,elfatt-sd",
                "--calibration", CALIB.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layer 3 (") && r.out().contains("alone: cosine"), "each layer's cost is printed: " + r.out());
        assertTrue(r.out().contains("on 25 of the 128 samples from"), "fidelity is measured on the user's held-out data: " + r.out());
        Bundle b = Bundle.load(bundle);
        Variant sd = b.manifest().variant("fp32-elfatt-sd").orElseThrow(() -> new AssertionError("layer 0 alone keeps the floor: " + r.out()));
        Report fidelity = b.manifest().reports().stream().filter(x2 -> x2.variant().equals(sd.id()) && x2.kind().equals("fidelity"))
                .findFirst().orElseThrow();
        assertTrue(FidelityFloor.DEFAULT.passes(fidelity.metrics()), fidelity.metrics().toString());
        List<Integer> layers = parseLayers(sd.attributes().get("elfattLayers"));
        assertTrue(!layers.isEmpty() && layers.size() < 4, "only the layers that keep the floor: " + layers);
        double written = accuracy(OnnxModel.load(b.dir().resolve(sd.file())), x, y);
        assertTrue(written >= fp32 - 0.015, String.format("written elfatt-sd variant: %.4f vs fp32 %.4f", written, fp32));

        // the runtime's prior keeps vanilla at 65 tokens; ELFATT-SD is only used when asked for
        try (JedgeModel m = Jedge.load(bundle, LoadOptions.builder().watchPower(false).build())) {
            assertEquals("fp32-vanilla", m.selection().variantId(), m.selection().toString());
        }

        JedgeCliTest.Result e = jedge("eval", bundle.toString(), "--inputs", TEST_X.toString(), "--labels", TEST_Y.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(fp32, top1(e.out(), "fp32-vanilla"), 1e-3, e.out());
        assertEquals(written, top1(e.out(), "fp32-elfatt-sd"), 1e-3, e.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dynamo"})
    void runWritesRawOutputs(String exporter) throws Exception {
        Path bundle = tmp.resolve("r");
        Path model = CORPUS.resolve("digits_vit_" + exporter + "/model.onnx");
        assertEquals(0, jedge("convert", model.toString(), "-o", bundle.toString()).code());
        Path npy = tmp.resolve("out.npy");
        JedgeCliTest.Result r = jedge("run", bundle.toString(), "--input", TEST_X.toString(), "--output", npy.toString());
        assertEquals(0, r.code(), r.err());
        Tensor got = TensorFiles.readNpy(npy);
        assertEquals(List.of(360L, 10L), List.of(got.dim(0), got.dim(1)));
        float[] torch = io.jedge.converters.Fixtures.readF32(CORPUS.resolve("digits_vit_" + exporter + "/torch_output.f32"));
        assertTrue(io.jedge.converters.Fixtures.maxAbsDiff(torch, got.floats()) < 1e-3, "the same logits torch computed");
        JedgeCliTest.Result bad = jedge("run", bundle.toString(), "--input", TEST_X.toString(), "--output", tmp.resolve("o.txt").toString());
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.err().contains("expected a .npy or .f32 file name"), bad.err());
        float[] nan = TensorFiles.readNpy(TEST_X).sliceBatch(0, 3).floats();
        nan[5] = Float.NaN;
        nan[70] = Float.POSITIVE_INFINITY;
        Path nanFile = tmp.resolve("nan.npy");
        TensorFiles.write(Tensor.ofFloats(new long[] {3, 1, 8, 8}, nan), nanFile);
        JedgeCliTest.Result refused = jedge("run", bundle.toString(), "--input", nanFile.toString());
        assertEquals(2, refused.code(), refused.out());
        assertTrue(refused.err().contains("holds 2 NaN or infinite value(s) of 192"), refused.err());
    }

    static double accuracy(OnnxModel m, Tensor x, long[] y) throws Exception {
        Path f = java.nio.file.Files.createTempFile("digits", ".onnx");
        try {
            m.save(f, false);
            io.jedge.runtime.backend.ort.OrtBackend ort = new io.jedge.runtime.backend.ort.OrtBackend();
            try (var s = ort.open(f, io.jedge.runtime.backend.SessionOptions.builder().build())) {
                String in = s.inputs().get(0).name();
                float[] out = s.run(Map.of(in, x)).values().iterator().next().floats();
                int ok = 0;
                for (int i = 0; i < y.length; i++) {
                    ok += io.jedge.sdk.vision.Ranking.inTopK(out, i * 10, 10, y[i], 1) ? 1 : 0;
                }
                return (double) ok / y.length;
            }
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    private static List<Integer> parseLayers(String s) {
        return Pattern.compile("\\d+").matcher(s).results().map(m -> Integer.parseInt(m.group())).toList();
    }

    private static double top1(String out, String variant) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(variant) + "\\s+([0-9.]+)%").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no row for " + variant + " in:\n" + out);
        }
        return Double.parseDouble(m.group(1)) / 100;
    }
}
