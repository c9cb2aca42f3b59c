package io.jedge.converters.attention;

import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.OnnxModel;
import java.util.List;

/**
 * The graph jedge builds TensorRT engines from, made in place: ONNX Runtime's attention ops lowered to plain ops
 * TensorRT's parser reads ({@link LowerAttentionOp}), attention scales folded onto the logits ({@link FoldAttentionScale},
 * TensorRT 10.6 mis-fuses Q/K-side scaling). Convert, engine builds, {@code compare --against tensorrt} and the GPU
 * proof tools all go through here, so what is measured is what ships.
 */
public final class TensorRtReady {
    /** TensorRT's largest TopK K (its TopK operator reference: k ≤ 3840). */
    static final long MAX_TOPK_K = 3840;

    private TensorRtReady() {
    }

    /**
     * @param lowered     attention ops lowered
     * @param skipped     why an attention op could not be lowered (empty when all were)
     * @param folded      layers whose attention scale was folded
     * @param unparsable  ops still in the graph that TensorRT 10.6's parser lacks (com.microsoft ops, and opset-23
     *                    {@code Attention} left unlowered) or cannot take (a TopK with K above 3840, as ToMe's similarity
     *                    sort has where a block's source count exceeds 3840): no engine can be built while any is left
     */
    public record Result(List<String> lowered, List<String> skipped, List<String> folded, List<String> unparsable) {
        public Result {
            lowered = List.copyOf(lowered);
            skipped = List.copyOf(skipped);
            folded = List.copyOf(folded);
            unparsable = List.copyOf(unparsable);
        }

        /** Whether the graph changed (and must be saved before TensorRT reads it). */
        public boolean changed() {
            return !lowered.isEmpty() || !folded.isEmpty();
        }

        /** Whether TensorRT's parser can read the graph. */
        public boolean ready() {
            return unparsable.isEmpty();
        }

        /** Why it is not ready, in words; empty when it is. */
        public String whyNot() {
            return ready() ? "" : "it uses ops TensorRT's ONNX parser lacks or cannot take, and jedge cannot lower ("
                    + String.join(", ", unparsable) + (skipped.isEmpty() ? "" : "; " + skipped.get(0)) + ")";
        }
    }

    /** Why no engine can be built from {@code model} even after {@link #prepare}; empty when one can. Leaves it unchanged. */
    public static String whyNot(OnnxModel model) {
        return unparsable(model.graph()).isEmpty() ? "" : prepare(model.copy()).whyNot();
    }

    /**
     * Why the ToMe rewrite {@code options} asks for could not become a TensorRT engine, known before it is made: ToMe's
     * similarity TopK sorts a block's source tokens (all but one per 2x2 cell, 3/4 of them), so a block with more than
     * 3840 sources (above 5120 tokens) is past TensorRT's TopK limit whatever the ratio. Reads the blocks ToMe may
     * merge, runs nothing; empty when every one is within the limit.
     *
     * @throws IllegalArgumentException for a requested layer that cannot merge tokens
     */
    public static String whyNotTome(OnnxModel source, TomeOptions options) {
        List<String> over = new java.util.ArrayList<>();
        long most = 0;
        for (AttentionBlock a : TomeRewrite.choose(AttentionFinder.find(source), options)) {
            int sources = TomeRewrite.sourceCount(a);
            if (sources > MAX_TOPK_K) {
                over.add(a.index() + " (" + a.layer() + ")");
                most = Math.max(most, a.tokens());
            }
        }
        if (over.isEmpty()) {
            return "";
        }
        return "ToMe's similarity TopK sorts a block's source tokens (3/4 of them) and TensorRT's TopK takes at most "
                + MAX_TOPK_K + ", reached above " + MAX_TOPK_K * 4 / 3 + " tokens whatever the ratio; " + over.size()
                + " block(s) exceed it (" + String.join(", ", over.subList(0, Math.min(3, over.size()))) + (over.size() > 3 ? ", ..." : "")
                + ", up to " + most + " tokens)";
    }

    /** Rewrites {@code model} in place. */
    public static Result prepare(OnnxModel model) {
        return prepare(model, true);
    }

    /**
     * As {@link #prepare(OnnxModel)}; {@code foldScales} false only lowers, for a copy whose Q/K are exposed as outputs
     * (a layer-wise comparison): exposing them already keeps TensorRT off the mis-fused pattern, and folding would
     * change what the logits tensor holds under the same name.
     */
    public static Result prepare(OnnxModel model, boolean foldScales) {
        LowerAttentionOp.Result low = LowerAttentionOp.lower(model);
        List<String> folded = foldScales ? FoldAttentionScale.fold(model) : List.of();
        return new Result(low.lowered(), low.skipped(), folded, unparsable(model.graph()));
    }

    /**
     * The ops of {@code g} TensorRT 10.6's ONNX parser lacks, com.microsoft ones and opset-23 {@code Attention}, or cannot
     * take: a TopK whose constant K (an initializer or a Constant node) is above TensorRT's limit (ToMe's similarity
     * TopK has the block's source count as K, so it is reached when that count exceeds 3840: above 5120 tokens).
     */
    private static List<String> unparsable(Graph g) {
        List<String> out = new java.util.ArrayList<>(LowerAttentionOp.contribOps(g));
        g.nodes().stream().filter(n -> n.domain().isEmpty() && n.opType().equals("Attention")).map(n -> "Attention '" + n.name() + "'")
                .distinct().limit(3).forEach(out::add);
        g.nodes().stream().filter(n -> n.domain().isEmpty() && n.is("TopK") && n.inputs().size() > 1)
                .flatMap(n -> g.constant(n.inputs().get(1)).map(k -> g.longs(k)).filter(k -> k.length == 1 && k[0] > MAX_TOPK_K)
                        .map(k -> "TopK '" + n.name() + "' with K " + k[0] + ", TensorRT takes at most " + MAX_TOPK_K).stream())
                .limit(3).forEach(out::add);
        return out;
    }
}
