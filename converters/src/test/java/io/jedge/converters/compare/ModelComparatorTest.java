package io.jedge.converters.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Fixtures;
import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.attention.ElfattSdRewrite;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.SessionOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelComparatorTest {
    @TempDir
    Path tmp;

    final SessionFactory ort = SessionFactory.onnxRuntime(SessionOptions.defaults());

    @Test
    void layerwiseFindsTheRewrittenAttentionAsTheFirstDivergence() throws Exception {
        Path model = Fixtures.torchExport("vit224_legacy_op17").resolve("model.onnx");
        OnnxModel rewritten = ElfattSdRewrite.rewrite(OnnxModel.load(model), ElfattSdOptions.builder().layers(List.of(1)).build()).model();
        Path b = tmp.resolve("b.onnx");
        rewritten.save(b);
        Comparison c = new ModelComparator(0.9999).compare(model, ort, "orig", b, ort, "rewritten", List.of(), true);
        assertTrue(c.layers().size() > 30, "many shared tensors: " + c.layers().size());
        assertTrue(c.firstDivergence() != null && c.firstDivergence().tensor().contains("blocks.1/attn"), c.text());
        // everything before block 1's attention is identical
        int i = c.layers().indexOf(c.firstDivergence());
        for (Comparison.Layer d : c.layers().subList(0, i)) {
            assertTrue(d.metrics().cosine() > 0.99999, d.toString());
        }
    }

    @Test
    void aModelAgreesWithItself() throws Exception {
        Path model = Fixtures.torchExport("vit224_dynamo_op23").resolve("model.onnx");
        Comparison c = new ModelComparator(0.999).compare(model, ort, "a", model, ort, "a", List.of(), true);
        assertNull(c.firstDivergence(), c.text());
        assertEquals(1.0, c.top1Agreement());
        assertTrue(c.output().metrics().maxAbsError() == 0.0, c.text());
    }
}
