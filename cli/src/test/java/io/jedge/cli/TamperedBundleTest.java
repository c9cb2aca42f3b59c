package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.Converter;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** A bundle runs only the models its manifest describes: replaced or linked variant files fail at load, in one line. */
class TamperedBundleTest {
    @TempDir
    Path tmp;

    /** pixels [N,3,h,w] (or [N,3,h] for rank 3) → global average pool → linear → logits [N,classes]. */
    static OnnxModel classifier(String input, int rank, int size, int classes) {
        Graph g = new Graph("tiny", null);
        GraphBuilder b = new GraphBuilder(g);
        long[] dims = rank == 4 ? new long[] {-1, 3, size, size} : new long[] {-1, 3, size};
        String x = b.input(input, TensorData.FLOAT, dims, "batch");
        String pooled = b.op("Flatten", b.op("GlobalAveragePool", x));
        float[] w = new float[classes * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i);
        }
        String logits = b.linear(pooled, "head", w, 3, classes, new float[classes]);
        b.output(logits, "logits", TensorData.FLOAT, new long[] {-1, classes}, "batch");
        return new OnnxModel(8, Map.of("", 17L), g);
    }

    /** A converted bundle of the 32×32, 10-class model whose variant file is then swapped for {@code replacement}, digest updated. */
    Bundle tampered(OnnxModel replacement) throws Exception {
        Path model = tmp.resolve("m.onnx");
        classifier("pixels", 4, 32, 10).save(model);
        Bundle b = new Converter(l -> { }).convert(model, tmp.resolve("b"), ConversionOptions.builder().build());
        Variant v = b.manifest().variants().get(0);
        replacement.save(b.resolve(v));
        // the digest alone would catch a swap; whoever swaps can rewrite it, so the signature must hold on its own
        String sha = Bundle.sha256(b.resolve(v));
        return b.update(m -> m.withVariant(new Variant(v.id(), v.role(), v.file(), v.format(), v.precision(), v.attention(),
                v.batchMin(), v.batchOpt(), v.batchMax(), sha, v.sizeBytes(), v.builtFor(), v.attributes(), v.figures())));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "1000 classes instead of 10; pixels; 4; 32; 1000; outputs[0] 'logits' shape [?,1000] in the file, bundle.json says [?,10]",
        "224x224 instead of 32x32; pixels; 4; 224; 10; inputs[0] 'pixels' shape [?,3,224,224] in the file, bundle.json says [?,3,32,32]",
        "renamed input; image; 4; 32; 10; inputs[0] 'pixels' is missing from the file, which has [image]",
        "rank-3 input; pixels; 3; 32; 10; inputs[0] 'pixels' shape [?,3,32] in the file, bundle.json says [?,3,32,32]"})
    void aVariantWithAnotherSignatureFailsAtLoad(String what, String input, int rank, int size, int classes, String expected)
            throws Exception {
        Bundle b = tampered(classifier(input, rank, size, classes));
        Bundle.load(b.dir()); // the digest matches: only the signature check stands in the way
        JedgeException e = assertThrows(JedgeException.class,
                () -> Jedge.load(b.dir(), LoadOptions.builder().watchPower(false).threads(1).build()).close());
        assertEquals(JedgeException.Code.MODEL_LOAD_FAILED, e.code());
        assertTrue(e.getMessage().contains("variant 'fp32-vanilla' (fp32-vanilla.onnx) is not the model bundle.json describes: "
                + expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());

        CommandLine cl = JedgeCli.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        assertEquals(1, cl.execute("bench", b.dir().toString(), "--batch", "1", "--seconds", "0.05", "--threads", "1"));
        assertTrue(err.toString().contains(expected) && !err.toString().contains("\tat "), "one line, no stack trace: " + err);
    }

    @Test
    void theUntamperedBundleLoadsAndRuns() throws Exception {
        Bundle b = tampered(classifier("pixels", 4, 32, 10));
        try (JedgeModel m = Jedge.load(b.dir(), LoadOptions.builder().watchPower(false).threads(1).build())) {
            var out = m.predictor().run(Map.of("pixels", io.jedge.sdk.Tensor.ofFloats(new long[] {1, 3, 32, 32}, new float[3 * 32 * 32])));
            assertEquals(List.of(1L, 10L), java.util.Arrays.stream(out.get("logits").shape()).boxed().toList());
        }
    }

    @Test
    void aVariantLinkedToAFileOutsideTheBundleIsRefused() throws Exception {
        Bundle b = tampered(classifier("pixels", 4, 32, 10));
        Path variant = b.resolve(b.manifest().variants().get(0));
        Path elsewhere = Files.move(variant, tmp.resolve("elsewhere.onnx"));
        Files.createSymbolicLink(variant, elsewhere);
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(b.dir()));
        assertTrue(e.getMessage().endsWith("field 'variants[0].file': 'fp32-vanilla.onnx' is a link to " + elsewhere.toRealPath()
                + ", outside the bundle; a bundle must hold its own files (convert again)"), e.getMessage());
        assertThrows(BundleException.class, () -> Bundle.load(b.dir(), false), "even the quick load refuses it");

        // the same for the external weights beside a model
        Files.delete(variant);
        Files.move(elsewhere, variant);
        Path weights = Files.writeString(tmp.resolve("weights.data"), "w");
        Files.createSymbolicLink(variant.resolveSibling("fp32-vanilla.onnx.data"), weights);
        e = assertThrows(BundleException.class, () -> Bundle.load(b.dir()));
        assertTrue(e.getMessage().contains("'fp32-vanilla.onnx.data' is a link to " + weights.toRealPath()), e.getMessage());
        Files.delete(variant.resolveSibling("fp32-vanilla.onnx.data"));

        // a link inside the bundle stays allowed: the model is still one the bundle holds
        Path inside = Files.move(variant, b.dir().resolve("real.onnx"));
        Files.createSymbolicLink(variant, inside.getFileName());
        Bundle.load(b.dir());
    }
}
