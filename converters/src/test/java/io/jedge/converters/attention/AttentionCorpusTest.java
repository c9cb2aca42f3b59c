package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jedge.converters.Corpus;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance corpus ({@code src/test/resources/corpus}, written by tools/corpus/make_corpus.py):
 * every export that succeeded, with the blocks each architecture's config implies. Every Softmax is
 * found or explained, plain self-attention is found with its heads, tokens and head size and marked
 * supported, and every supported block rewrites to a model ONNX Runtime runs.
 */
class AttentionCorpusTest {

    /** One expected block: tokens, heads, head size, and null when supported or a fragment of its note. */
    private record Row(long tokens, long heads, long headDim, String note) {
        boolean supported() {
            return note == null;
        }

        @Override
        public String toString() {
            return tokens + "x" + heads + "x" + headDim + (note == null ? " supported" : " '" + note + "'");
        }
    }

    private static Row ok(long tokens, long heads, long headDim) {
        return new Row(tokens, heads, headDim, null);
    }

    private static Row not(long tokens, long heads, long headDim, String note) {
        return new Row(tokens, heads, headDim, note);
    }

    private static List<Row> times(int n, Row r) {
        return java.util.Collections.nCopies(n, r);
    }

    @SafeVarargs
    private static List<Row> rows(List<Row>... parts) {
        return Stream.of(parts).flatMap(List::stream).toList();
    }

    private static final String BIAS = "relative position bias";
    private static final String CROSS = "cross-attention";

    /*
     * From make_corpus.py's configs. timm ViTs: 32x32 input, patch 8, embed 32, 2 heads of 16, so 16
     * grid tokens plus prefix tokens (class; DeiT adds a distillation token, DINOv2 four registers;
     * SigLIP has none). The ViTs with 56x56 input use patch 14: 16 grid tokens again. Swin: patch 2,
     * window 4 (16 tokens), heads (2, 4) of 8. LeViT: 16, 4 and 1 tokens, key dim 8.
     */
    private static final Map<String, List<Row>> EXPECTED = Map.ofEntries(
            Map.entry("timm_vit", times(2, ok(17, 2, 16))),
            Map.entry("timm_deit_distilled", times(2, ok(18, 2, 16))),
            Map.entry("timm_dinov2_reg", times(2, ok(21, 2, 16))),
            Map.entry("timm_clip", times(2, ok(17, 2, 16))),
            Map.entry("timm_siglip", rows(times(2, ok(16, 2, 16)), List.of(not(1, 2, 16, CROSS)))),
            Map.entry("timm_eva02", times(2, ok(17, 2, 16))),
            Map.entry("timm_vit_resize", times(2, ok(17, 2, 16))),
            Map.entry("timm_beit", times(2, not(17, 2, 16, BIAS))),
            Map.entry("timm_swin", rows(times(2, not(16, 2, 8, BIAS)), times(2, not(16, 4, 8, BIAS)))),
            Map.entry("timm_swinv2", rows(times(2, not(16, 2, 8, "logit scale per head")),
                    times(2, not(16, 4, 8, "logit scale per head")))),
            Map.entry("timm_cait", rows(times(2, not(16, 2, 16, "talking-heads")), times(2, not(1, 2, 16, CROSS)))),
            Map.entry("timm_xcit", rows(times(2, not(16, 2, 16, "channel attention")), times(2, not(1, 2, 16, CROSS)))),
            Map.entry("timm_crossvit", List.of(ok(17, 2, 16), ok(5, 2, 32), not(1, 2, 32, CROSS), not(1, 2, 16, CROSS))),
            Map.entry("timm_levit", List.of(not(16, 2, 8, BIAS), not(4, 4, 8, CROSS), not(4, 3, 8, BIAS), not(1, 6, 8, CROSS),
                    not(1, 4, 8, BIAS))),
            Map.entry("timm_twins", List.of(not(4, 1, 16, "windows"), not(4, 2, 16, "windows"), not(4, 3, 16, "windows"),
                    not(4, 4, 16, "windows"))),
            Map.entry("timm_efficientvit_m", rows(times(2, not(16, -1, 16, "V·Pᵀ")), times(2, not(4, -1, 16, "V·Pᵀ")),
                    times(2, not(1, -1, 16, "V·Pᵀ")))),
            Map.entry("hf_vit_eager", times(2, ok(17, 2, 16))),
            Map.entry("hf_vit_sdpa", times(2, ok(17, 2, 16))),
            Map.entry("hf_dinov2", times(2, ok(17, 2, 16))),
            // the pooling head is torch's MultiheadAttention: heads folded into the batch
            Map.entry("hf_siglip", rows(times(2, ok(16, 2, 16)), List.of(not(1, -1, 16, CROSS)))),
            Map.entry("hf_swin", rows(times(2, not(16, 2, 8, BIAS)), times(2, not(16, 4, 8, BIAS)))),
            Map.entry("digits_vit", times(4, ok(65, 4, 16))));

    static List<String> corpus() {
        return Corpus.exports();
    }

    private static String arch(String name) {
        return name.replaceFirst("_(legacy|dynamo)$", "");
    }

    private static OnnxModel load(String name) {
        return OnnxModel.load(Corpus.folder(name).resolve("model.onnx"));
    }

    /** make_corpus.py's deterministic input at {@code batch} rows. */
    private static Map<String, Tensor> input(String name, int batch) {
        long[] shape = Corpus.inputShape(name);
        shape[0] = batch;
        return Map.of("pixels", Corpus.deterministicInput(shape));
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void everySoftmaxIsFoundAsTheConfigImplies(String name) {
        List<Row> expected = EXPECTED.get(arch(name));
        assertTrue(expected != null, name + ": no expectation for architecture " + arch(name) + "; add one to EXPECTED");
        OnnxModel m = load(name);
        List<AttentionBlock> blocks = AttentionFinder.find(m);
        Set<String> found = blocks.stream().map(AttentionBlock::node).collect(Collectors.toSet());
        List<String> missed = m.graph().nodes().stream().filter(n -> n.is("Softmax")).map(Node::name)
                .filter(s -> !found.contains(s)).toList();
        assertEquals(List.of(), missed, name + ": Softmax nodes neither found nor explained\n" + AttentionFinder.table(blocks));
        List<Row> got = blocks.stream().map(b -> new Row(b.tokens(), b.heads(), b.headDim(), b.supported() ? null : b.note()))
                .toList();
        assertEquals(expected.size(), got.size(), name + ": block count\n" + AttentionFinder.table(blocks));
        for (int i = 0; i < got.size(); i++) {
            Row e = expected.get(i);
            Row g = got.get(i);
            String where = name + " block " + i + ": expected " + e + ", found " + g + "\n" + AttentionFinder.table(blocks);
            assertEquals(List.of(e.tokens(), e.heads(), e.headDim()), List.of(g.tokens(), g.heads(), g.headDim()), where);
            assertEquals(e.supported(), g.supported(), where);
            if (!e.supported()) {
                assertTrue(g.note().contains(e.note()), where);
            }
        }
        for (AttentionBlock b : blocks) {
            assertTrue(b.supported() == b.note().isEmpty(), name + " block " + b.index() + ": supported " + b.supported()
                    + " with note '" + b.note() + "'; every unsupported block says why, a supported one says nothing");
        }
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void supportedBlocksRewriteToAModelThatRuns(String name) {
        OnnxModel m = load(name);
        List<Integer> supported = AttentionFinder.find(m.copy()).stream().filter(AttentionBlock::supported)
                .map(AttentionBlock::index).toList();
        assumeTrue(!supported.isEmpty(), name + " has no supported block");
        // blocks of 8 tokens: most blocks here have more, so the padded, masked local path runs too
        ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(m, ElfattSdOptions.builder().block(8).build());
        assertEquals(supported, r.convertedLayers(), name);
        Map<String, Tensor> out = AttentionTestSupport.run(r.model(), input(name, 2));
        Tensor logits = out.get(r.model().graph().outputs().get(0).getName());
        assertEquals(2, logits.shape()[0], name + ": batch of the rewritten model's output");
        for (float f : logits.floats()) {
            assertTrue(Float.isFinite(f), name + ": the rewritten model outputs " + f);
        }
    }

    /**
     * With one block covering all tokens the local heads are exactly the model's own: the first
     * supported block of every export (timm, transformers with its Cast or SDPA's NaN guard after
     * the Softmax and its all-zero mask before it, the trained digits ViT) is the attention it seems.
     */
    @ParameterizedTest
    @MethodSource("corpus")
    void localHeadsWithOneFullBlockAreExact(String name) {
        OnnxModel original = load(name);
        AttentionBlock first = AttentionFinder.find(original.copy()).stream().filter(AttentionBlock::supported).findFirst()
                .orElse(null);
        assumeTrue(first != null, name + " has no supported block");
        int n = (int) first.tokens();
        int h = (int) first.heads();
        int d = (int) first.headDim();
        ElfattSdOptions o = ElfattSdOptions.builder().layers(List.of(first.index())).block(n).build();
        ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(original, o);
        ElfattSdRewrite.Converted c = r.converted().get(0);
        assertEquals(h / 2, c.agentHeads());
        assertEquals(h - h / 2, c.localHeads());
        Map<String, Tensor> x = input(name, 1);
        float[] want = AttentionTestSupport.run(original, x, c.originalOutput()).get(c.originalOutput()).floats();
        Map<String, Tensor> rewritten = AttentionTestSupport.run(r.model(), x, c.rewrittenOutput());
        float[][][] w = AttentionTestSupport.heads(want, h, n, d);
        float[][][] g = AttentionTestSupport.heads(rewritten.get(c.rewrittenOutput()).floats(), h, n, d);
        float local = AttentionTestSupport.maxDiff(w, g, h / 2, h);
        assertTrue(local < 1e-4f, name + ": the local heads differ by " + local);
        assertTrue(AttentionTestSupport.maxDiff(w, g, 0, h / 2) > 1e-3, name + ": the agent heads are an approximation, not a copy");
        for (float f : rewritten.get(r.model().graph().outputs().get(0).getName()).floats()) {
            assertTrue(Float.isFinite(f), name + ": the rewritten model outputs " + f);
        }
        assertFalse(r.model().graph().nodes().stream().anyMatch(nd -> nd.name().equals(first.node())),
                name + ": the vanilla Softmax of block " + first.index() + " is gone");
    }
}
