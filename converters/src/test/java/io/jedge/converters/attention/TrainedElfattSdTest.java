package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.TensorFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ELFATT-SD rewrite on trained weights (the digits ViT of tools/corpus/make_corpus.py: 8×8
 * grid + class token, 4 heads of 16) against the plain-Java reference written from the formulas,
 * layer by layer and for both exporters: the graph computes exactly the approximation it claims,
 * so the accuracy it costs is the approximation's, not a wiring defect.
 */
class TrainedElfattSdTest {
    static final Path CORPUS = io.jedge.converters.Corpus.dir();

    @ParameterizedTest
    @CsvSource({"legacy,0", "legacy,2", "dynamo,1", "dynamo,3"})
    void rewriteMatchesTheReferenceOnTrainedWeights(String exporter, int layer) {
        OnnxModel m = OnnxModel.load(CORPUS.resolve("digits_vit_" + exporter + "/model.onnx"));
        AttentionBlock a = AttentionFinder.find(m.copy()).get(layer);
        assertTrue(a.supported(), a.note());
        assertEquals(65, a.tokens());
        assertEquals(4, a.heads());
        assertEquals(16, a.headDim());
        assertEquals(1, a.prefixTokens(), "the class token is kept out of agent pooling");
        ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(m, ElfattSdOptions.builder().layers(List.of(layer)).build());
        ElfattSdRewrite.Converted c = r.converted().get(0);
        assertEquals(4, c.agents(), "64 grid tokens / 16 -> a 2x2 grid of agents");

        Tensor x = TensorFiles.readNpy(CORPUS.resolve("digits_data/test_x.npy")).sliceBatch(7, 8);
        Map<String, Tensor> feed = Map.of("pixels", x);
        Map<String, Tensor> qkv = AttentionTestSupport.run(m, feed, a.query(), a.key(), a.value());
        float[][][] q = AttentionTestSupport.heads(qkv.get(a.query()).floats(), 4, 65, 16);
        float[][][] k = keyHeads(qkv.get(a.key()), a.keyTransposed());
        float[][][] v = AttentionTestSupport.heads(qkv.get(a.value()).floats(), 4, 65, 16);
        // agents average 4x4 quadrants of the 8x8 grid; token 0 is the class token
        int[][] groups = new int[4][16];
        for (int t = 0; t < 64; t++) {
            int quadrant = (t / 8 / 4) * 2 + (t % 8) / 4;
            groups[quadrant][t % 4 + 4 * ((t / 8) % 4)] = 1 + t;
        }
        float[][][] want = AttentionTestSupport.elfattSd(q, k, v, a.scale(), groups, 65, 0.3, 0);
        String out = c.rewrittenOutput();
        float[][][] got = AttentionTestSupport.heads(AttentionTestSupport.run(r.model(), feed, out).get(out).floats(), 4, 65, 16);
        float diff = AttentionTestSupport.maxDiff(want, got, 0, 4);
        assertTrue(diff < 1e-4, exporter + " layer " + layer + ": rewrite differs from the reference by " + diff);
        // the local heads cover all 65 tokens in one block, so they are the model's own heads exactly
        String orig = c.originalOutput();
        float[][][] original = AttentionTestSupport.heads(AttentionTestSupport.run(m, feed, orig).get(orig).floats(), 4, 65, 16);
        assertTrue(AttentionTestSupport.maxDiff(original, got, 2, 4) < 1e-4, "local heads are exact");
        assertTrue(AttentionTestSupport.maxDiff(original, got, 0, 2) > 1e-3, "agent heads approximate, they do not copy");
    }

    private static float[][][] keyHeads(Tensor k, boolean transposed) {
        if (!transposed) {
            return AttentionTestSupport.heads(k.floats(), 4, 65, 16);
        }
        // (B,h,d,N) -> (h,N,d)
        float[] f = k.floats();
        float[][][] out = new float[4][65][16];
        for (int h = 0; h < 4; h++) {
            for (int c = 0; c < 16; c++) {
                for (int t = 0; t < 65; t++) {
                    out[h][t][c] = f[(h * 16 + c) * 65 + t];
                }
            }
        }
        return out;
    }
}
