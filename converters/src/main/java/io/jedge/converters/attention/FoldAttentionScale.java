package io.jedge.converters.attention;

import io.jedge.converters.onnx.Shapes;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moves attention's scale from Q and K onto the logits: {@code (q·√s)(k·√s)ᵀ} becomes
 * {@code (q·kᵀ)·s} with {@code s} a constant.
 *
 * <p>Why: PyTorch's TorchScript exporter writes {@code scaled_dot_product_attention} with
 * {@code √scale} multiplied into Q and K separately, the factor computed at run time from the
 * tensor's shape (Shape → Cast → Sqrt → Div). TensorRT 10.6 fuses that pattern into its attention
 * kernel and gets it wrong: on the {@code vit224_legacy_op17} fixture the FP32 engine is 6.9%
 * (relative L2) off ONNX Runtime, and exposing the scaled Q/K as outputs — which stops the
 * fusion — brings it back to 1e-7 (see benchmarks/tensorrt-h200-*.md). The folded form is the
 * one every exporter and TensorRT handle. The result is exact: multiplication by positive
 * scalars commutes through the matrix product (up to float rounding). The folded constant has
 * the element type of the logits it multiplies (float32, or float16 in an FP16 variant).
 */
public final class FoldAttentionScale {
    private FoldAttentionScale() {
    }

    /** Rewrites every decomposed self-attention block whose Q and K both carry the scale; returns their layers. */
    public static List<String> fold(OnnxModel model) {
        Graph g = model.graph();
        List<String> folded = new ArrayList<>();
        Map<String, Integer> types = Shapes.elementTypes(g);
        for (AttentionBlock b : AttentionFinder.find(model)) {
            if (b.fused() || b.form() == AttentionBlock.Form.UNRECOGNISED || !(b.scale() > 0)) {
                continue;
            }
            Optional<Node> sm = g.nodes().stream().filter(n -> n.name().equals(b.node()) && n.is("Softmax")).findFirst();
            if (sm.isEmpty()) {
                continue;
            }
            Graph.Index idx = g.index();
            Node mm = idx.producer(sm.get().input(0)).filter(n -> n.is("MatMul")).orElse(null);
            if (mm == null) {
                continue;
            }
            // the scale takes the logits' own type: convert folds FP16 variants too, and a float32
            // constant there makes a Mul that TensorRT's strongly typed network refuses
            int logitsType = types.getOrDefault(mm.output(0), TensorData.FLOAT);
            if (logitsType != TensorData.FLOAT && logitsType != TensorData.FLOAT16) {
                continue; // bfloat16/double logits: left as exported
            }
            Node mq = idx.producer(mm.input(0)).filter(n -> n.is("Mul") && n.inputs().contains(b.query())).orElse(null);
            if (mq == null) {
                continue;
            }
            String newB = null;
            Node kb = idx.producer(mm.input(1)).orElse(null);
            if (kb != null && kb.is("Mul")) {
                newB = unscaled(kb, b.key(), idx);
            } else if (kb != null && kb.is("Transpose")) {
                Node mk = idx.producer(kb.input(0)).filter(n -> n.is("Mul") && n.inputs().contains(b.key())).orElse(null);
                if (mk != null) {
                    kb.inputs().set(0, b.key()); // transpose the raw key
                    newB = mm.input(1);
                }
            }
            if (newB == null) {
                continue;
            }
            mm.inputs().set(0, b.query());
            mm.inputs().set(1, newB);
            GraphBuilder gb = new GraphBuilder(g).scope(b.layer() + "/folded_scale");
            String scale = logitsType == TensorData.FLOAT16
                    ? gb.initializer(TensorData.ofFloat16(g.uniqueName("attn_scale"), new long[0], new float[] {(float) b.scale()}))
                    : gb.constFloat("attn_scale", (float) b.scale());
            String scaled = gb.mul(mm.output(0), scale);
            sm.get().inputs().set(0, scaled);
            folded.add(b.layer());
        }
        if (!folded.isEmpty()) {
            g.removeDeadNodes();
        }
        return folded;
    }

    /** The unscaled operand of a Mul scaling the key (directly, or the key's transpose). */
    private static String unscaled(Node mul, String key, Graph.Index idx) {
        for (String in : mul.inputs()) {
            if (in.equals(key)) {
                return in;
            }
            Optional<Node> p = idx.producer(in);
            if (p.isPresent() && p.get().is("Transpose") && p.get().input(0).equals(key)) {
                return in;
            }
        }
        return null;
    }
}
