package io.jedge.converters.attention;

import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.Shapes;
import io.jedge.converters.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Lowers ONNX {@code Attention} (opset 23) nodes, and ONNX Runtime's {@code com.microsoft::MultiHeadAttention}
 * with plain 3-D Q/K/V, into {@code MatMul → Mul → [Add mask] → Softmax → MatMul}, for engines whose parser
 * rejects those ops (TensorRT 10.6 has neither). Handles 4-D (B,h,N,d) and
 * 3-D (B,N,h·d) inputs, an additive float mask or a boolean mask (true = attend), and
 * {@code is_causal} with static token counts. Nodes with a KV cache, softcap, grouped-query heads
 * or extra outputs in use are left as they are and listed in {@link Result#skipped()}.
 *
 * <pre>{@code
 * LowerAttentionOp.Result r = LowerAttentionOp.lower(model); // model is changed in place
 * }</pre>
 */
public final class LowerAttentionOp {
    private LowerAttentionOp() {
    }

    /**
     * @param lowered names of the Attention nodes replaced
     * @param skipped "node: reason" for those left alone
     */
    public record Result(List<String> lowered, List<String> skipped) {
        public Result {
            lowered = List.copyOf(lowered);
            skipped = List.copyOf(skipped);
        }
    }

    /** Lowers every lowerable Attention node of {@code model} in place. */
    public static Result lower(OnnxModel model) {
        Result r = lower(model.graph());
        model.graph().removeDeadNodes();
        return r;
    }

    /** Lowers in place; dead nodes are left for the caller to remove. */
    public static Result lower(Graph g) {
        Shapes s = Shapes.infer(g);
        List<String> lowered = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        GraphBuilder b = new GraphBuilder(g);
        for (Node n : new ArrayList<>(g.nodes())) {
            boolean contrib = isContribMha(n);
            if (!n.is("Attention") && !contrib) {
                continue;
            }
            String why = contrib ? contribProblem(n, s) : problem(n, s);
            if (why != null) {
                skipped.add(n.name() + ": " + why);
                continue;
            }
            b.scope(n.name() + "/lowered");
            boolean threeD = contrib || s.rank(n.input(0)) == 3;
            long h = contrib ? n.attrInt("num_heads", -1) : n.attrInt("q_num_heads", -1);
            String q = n.input(0);
            String k = n.input(1);
            String v = n.input(2);
            long d;
            long dv;
            if (threeD) {
                d = s.dim(q, 2) / h;
                dv = s.dim(v, 2) / h;
                q = ElfattSdRewrite.toHeads(b, q, h, d);
                k = ElfattSdRewrite.toHeads(b, k, h, d);
                v = ElfattSdRewrite.toHeads(b, v, h, dv);
            } else {
                d = s.dim(q, 3);
                dv = s.dim(v, 3);
            }
            double scale = n.has("scale") ? n.attrFloat("scale", 1f) : 1 / Math.sqrt(d);
            String logits = b.mul(b.matMul(q, b.transpose(k, 0, 1, 3, 2)), b.constFloat("scale", (float) scale));
            String mask = contrib ? "" : n.input(3); // a contrib node with a bias or mask was refused above
            if (!mask.isEmpty()) {
                int type = elemType(g, mask);
                if (type == ai.onnx.proto.OnnxMl.TensorProto.DataType.BOOL_VALUE) {
                    logits = b.op("Where", mask, logits, b.constFloat("masked", ElfattSdRewrite.PAD_MASK));
                } else {
                    logits = b.add(logits, mask);
                }
            }
            if (n.attrInt("is_causal", 0) != 0) {
                int nq = (int) (threeD ? s.dim(n.input(0), 1) : s.dim(n.input(0), 2));
                int nk = (int) (threeD ? s.dim(n.input(1), 1) : s.dim(n.input(1), 2));
                float[] causal = new float[nq * nk];
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < nk; j++) {
                        causal[i * nk + j] = j > i + (nk - nq) ? ElfattSdRewrite.PAD_MASK : 0f;
                    }
                }
                logits = b.add(logits, b.weight(g.uniqueName(n.name() + "/causal_mask"), new long[] {nq, nk}, causal));
            }
            String out = b.matMul(b.softmax(logits, -1), v);
            if (threeD) {
                out = ElfattSdRewrite.fromHeads(b, out, h * dv);
            }
            // the lowered chain writes the node's own output name, so readers and graph outputs stay put
            g.nodes().remove(n);
            Node last = g.producer(out).orElseThrow();
            last.outputs().set(last.outputs().indexOf(out), n.output(0));
            b.scope("");
            lowered.add(n.name());
        }
        return new Result(lowered, skipped);
    }

    /**
     * The {@code com.microsoft} ops of {@code g} (the first three, as {@code Op 'name'}), which TensorRT's parser
     * lacks: after {@link #lower}, what keeps a model from an engine.
     */
    public static List<String> contribOps(Graph g) {
        return g.nodes().stream().filter(n -> n.domain().equals("com.microsoft")).map(n -> n.opType() + " '" + n.name() + "'")
                .distinct().limit(3).toList();
    }

    private static boolean isContribMha(Node n) {
        return n.domain().equals("com.microsoft") && n.opType().equals("MultiHeadAttention");
    }

    /** What keeps a contrib MultiHeadAttention from the plain lowering: anything beyond separate 3-D Q, K, V. */
    private static String contribProblem(Node n, Shapes s) {
        for (int i = 3; i < n.inputs().size(); i++) {
            if (!n.input(i).isEmpty()) {
                return "input " + i + " (bias, padding mask, attention bias or cache) is given";
            }
        }
        if (n.attrInt("unidirectional", 0) != 0) {
            return "unidirectional";
        }
        for (int i = 1; i < n.outputs().size(); i++) {
            if (!n.output(i).isEmpty()) {
                return "extra output " + i + " is used";
            }
        }
        if (n.attrInt("num_heads", -1) < 1) {
            return "num_heads " + n.attrInt("num_heads", -1);
        }
        for (int i = 0; i < 3; i++) {
            if (s.rank(n.input(i)) != 3) {
                return "input " + i + " has rank " + s.rank(n.input(i)) + " (packed or BNSH forms are not lowered)";
            }
        }
        if (s.dim(n.input(0), 2) < 0 || s.dim(n.input(2), 2) < 0) {
            return "hidden size unknown";
        }
        return null;
    }

    private static int elemType(Graph g, String t) {
        var vi = g.valueInfo(t);
        if (vi != null) {
            return Graph.elemType(vi);
        }
        return g.constant(t).map(ai.onnx.proto.OnnxMl.TensorProto::getDataType).orElse(ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT_VALUE);
    }

    private static String problem(Node n, Shapes s) {
        if (!n.input(4).isEmpty() || !n.input(5).isEmpty()) {
            return "past key/value cache";
        }
        if (n.attrFloat("softcap", 0f) != 0f) {
            return "softcap";
        }
        if (n.attrInt("qk_matmul_output_mode", 0) != 0) {
            return "qk_matmul_output_mode " + n.attrInt("qk_matmul_output_mode", 0);
        }
        for (int i = 1; i < n.outputs().size(); i++) {
            if (!n.output(i).isEmpty()) {
                return "extra output " + i + " is used";
            }
        }
        int r = s.rank(n.input(0));
        if (r == 4) {
            if (s.dim(n.input(0), 1) < 0 || s.dim(n.input(0), 1) != s.dim(n.input(1), 1)) {
                return "query heads " + s.dim(n.input(0), 1) + " vs key heads " + s.dim(n.input(1), 1)
                        + " (grouped-query or unknown)";
            }
            if (s.dim(n.input(0), 3) < 0) {
                return "head size unknown";
            }
        } else if (r == 3) {
            long h = n.attrInt("q_num_heads", -1);
            if (h < 1 || n.attrInt("kv_num_heads", h) != h) {
                return "q_num_heads " + h + ", kv_num_heads " + n.attrInt("kv_num_heads", -1);
            }
            if (s.dim(n.input(0), 2) < 0 || s.dim(n.input(2), 2) < 0) {
                return "hidden size unknown";
            }
        } else {
            return "query rank " + r + " (expected 3 or 4)";
        }
        if (n.attrInt("is_causal", 0) != 0) {
            int qi = r == 3 ? 1 : 2;
            if (s.dim(n.input(0), qi) < 0 || s.dim(n.input(1), qi) < 0) {
                return "causal with dynamic token counts";
            }
        }
        return null;
    }
}
