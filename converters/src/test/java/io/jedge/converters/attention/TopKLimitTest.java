package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.AttentionTestSupport.Kind;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TensorRT's TopK limit (K at most 3840): found in a graph, and foreseen for a ToMe rewrite before it is made. */
class TopKLimitTest {
    /** A TopK over [1, 5000] whose K is the output of a Constant node, as torch.onnx exports often write it. */
    private static OnnxModel topKWithConstantNodeK(long k) {
        Graph g = new Graph("topk", null);
        GraphBuilder b = new GraphBuilder(g);
        String x = b.input("x", TensorData.FLOAT, new long[] {1, 5000});
        Node constant = g.addNode("Constant", "k_const", List.of(), 1);
        constant.set("value", TensorData.ofLongs("k_value", new long[] {1}, new long[] {k}));
        Node topK = g.addNode("TopK", "top", List.of(x, constant.output(0)), 2);
        topK.set("axis", -1L);
        b.output(topK.output(0), "values", TensorData.FLOAT, new long[] {1, k});
        return new OnnxModel(8, Map.of("", 17L), g);
    }

    @Test
    void aKFromAConstantNodeAboveTheLimitIsFound() {
        OnnxModel over = topKWithConstantNodeK(4000);
        assertFalse(over.graph().isInitializer(over.graph().nodes().get(1).inputs().get(1)), "K is not an initializer");
        String why = TensorRtReady.whyNot(over);
        assertTrue(why.contains("TopK 'top' with K 4000, TensorRT takes at most 3840"), why);
        assertFalse(TensorRtReady.prepare(over).ready());

        assertEquals("", TensorRtReady.whyNot(topKWithConstantNodeK(3840)), "the limit itself is taken");
    }

    /**
     * ToMe's similarity TopK sorts the source tokens, all but one per 2×2 cell: the rewrite is past the limit exactly
     * when they exceed 3840 (above 5120 tokens), at any ratio, and the check says so from the blocks alone.
     */
    @Test
    void tomeIsForeseenPastTheLimitAboveFiveThousandOneHundredTwentyTokens() {
        OnnxModel at = AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_LOGIT_SCALE, 5120, 16, 2, 3);
        AttentionBlock atBlock = AttentionFinder.find(at).get(0);
        assertEquals(3840, TomeRewrite.sourceCount(atBlock), "one destination in four tokens, the rest sources");
        assertEquals("", TensorRtReady.whyNotTome(at, TomeOptions.of(0.5)));

        OnnxModel big = AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_LOGIT_SCALE, 6400, 16, 2, 3);
        assertEquals(4800, TomeRewrite.sourceCount(AttentionFinder.find(big).get(0)));
        for (double ratio : new double[] {0.05, 0.5, 0.9}) {
            String why = TensorRtReady.whyNotTome(big, TomeOptions.of(ratio));
            assertTrue(why.contains("at most " + TensorRtReady.MAX_TOPK_K) && why.contains("above 5120 tokens")
                    && why.contains("1 block(s) exceed it (0 (") && why.contains("up to 6400 tokens"), "ratio " + ratio + ": " + why);
            // what the rewrite would make agrees: the graph is not TensorRT-ready
            assertFalse(TensorRtReady.whyNot(TomeRewrite.rewrite(big, TomeOptions.of(ratio), null).model()).isEmpty());
        }
    }
}
