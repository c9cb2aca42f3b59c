package io.jedge.converters.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.Arrays;
import java.util.List;

/**
 * Emits nodes into a {@link Graph} with fresh names, one method per common op. Methods return the
 * name of the output tensor so expressions compose:
 *
 * <pre>{@code
 * GraphBuilder b = new GraphBuilder(graph);
 * String y = b.add(b.matMul(x, b.weight("fc.weight_t", new long[] {64, 10}, w)), b.weight("fc.bias", new long[] {10}, bias));
 * }</pre>
 *
 * The default-domain opset the emitted nodes assume is whatever the model imports; ops here are
 * valid from opset 17 (LayerNormalization) on.
 */
public final class GraphBuilder {
    private final Graph g;
    private String scope = "";

    public GraphBuilder(Graph g) {
        this.g = g;
    }

    public Graph graph() {
        return g;
    }

    /** Prefix for node names emitted next (e.g. "blocks.0.attn"), for readable graphs and reports. */
    public GraphBuilder scope(String scope) {
        this.scope = scope;
        return this;
    }

    public String scope() {
        return scope;
    }

    private String nodeName(String op) {
        return scope.isEmpty() ? op : scope + "/" + op;
    }

    /** A node with one output; returns the node so attributes can be set. */
    public Node node(String opType, String... inputs) {
        return g.addNode(opType, nodeName(opType), Arrays.asList(inputs), 1);
    }

    /** A node with one output; returns the output name. */
    public String op(String opType, String... inputs) {
        return node(opType, inputs).output(0);
    }

    /** An initializer named exactly {@code name} (weights keep their source names). */
    public String weight(String name, long[] dims, float[] data) {
        String n = g.isInitializer(name) ? g.uniqueName(name) : name;
        g.addInitializer(TensorData.ofFloats(n, dims, data));
        return n;
    }

    public String initializer(TensorProto t) {
        g.addInitializer(t);
        return t.getName();
    }

    public String constFloat(String name, float v) {
        return initializer(TensorData.scalar(g.uniqueName(name), v));
    }

    public String constLongs(String name, long... v) {
        return initializer(TensorData.ofLongs(g.uniqueName(name), new long[] {v.length}, v));
    }

    public String matMul(String a, String b) {
        return op("MatMul", a, b);
    }

    public String add(String a, String b) {
        return op("Add", a, b);
    }

    public String sub(String a, String b) {
        return op("Sub", a, b);
    }

    public String mul(String a, String b) {
        return op("Mul", a, b);
    }

    public String div(String a, String b) {
        return op("Div", a, b);
    }

    public String reshape(String x, long... shape) {
        return op("Reshape", x, constLongs("shape", shape));
    }

    public String transpose(String x, long... perm) {
        return node("Transpose", x).set("perm", perm).output(0);
    }

    public String softmax(String x, long axis) {
        return node("Softmax", x).set("axis", axis).output(0);
    }

    public String layerNorm(String x, String scale, String bias, float eps) {
        return node("LayerNormalization", x, scale, bias).set("axis", -1L).set("epsilon", eps).output(0);
    }

    /** Exact GELU, 0.5·x·(1 + erf(x/√2)), as PyTorch's default {@code nn.GELU} computes it. */
    public String gelu(String x) {
        String e = op("Erf", div(x, constFloat("sqrt2", (float) Math.sqrt(2.0))));
        return mul(mul(x, add(e, constFloat("one", 1f))), constFloat("half", 0.5f));
    }

    /** y = x·Wᵀ + b for a PyTorch Linear weight [out,in] (stored transposed, as [in,out]). */
    public String linear(String x, String name, float[] weightOutIn, int in, int out, float[] bias) {
        float[] t = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                t[i * out + o] = weightOutIn[o * in + i];
            }
        }
        String y = matMul(x, weight(name + ".weight", new long[] {in, out}, t));
        return bias == null ? y : add(y, weight(name + ".bias", new long[] {out}, bias));
    }

    public String concat(long axis, String... xs) {
        return node("Concat", xs).set("axis", axis).output(0);
    }

    /** Splits {@code x} along {@code axis} into pieces of the given sizes. */
    public List<String> split(String x, long axis, long... sizes) {
        Node n = g.addNode("Split", nodeName("Split"), List.of(x, constLongs("split", sizes)), sizes.length);
        n.set("axis", axis);
        return n.outputs();
    }

    public String slice(String x, long[] starts, long[] ends, long[] axes) {
        return op("Slice", x, constLongs("starts", starts), constLongs("ends", ends), constLongs("axes", axes));
    }

    public String gather(String x, String indices, long axis) {
        return node("Gather", x, indices).set("axis", axis).output(0);
    }

    public String conv(String x, String w, String b, long[] kernel, long[] strides, long[] pads, long group) {
        Node n = b == null ? node("Conv", x, w) : node("Conv", x, w, b);
        n.set("kernel_shape", kernel).set("strides", strides).set("pads", pads);
        if (group != 1) {
            n.set("group", group);
        }
        return n.output(0);
    }

    /** Declares a graph input; negative dims become symbolic names from {@code dimNames}. */
    public String input(String name, int elemType, long[] dims, String... dimNames) {
        g.inputs().add(Graph.tensorInfo(name, elemType, dims, dimNames));
        return name;
    }

    /** Exposes {@code tensor} as graph output {@code name} (adding an Identity if the name differs). */
    public String output(String tensor, String name, int elemType, long[] dims, String... dimNames) {
        String out = tensor;
        if (!tensor.equals(name)) {
            Node id = g.add(new Node(g.uniqueName(nodeName("output_" + name)), "Identity", "", List.of(tensor), List.of(name)));
            out = id.output(0);
        }
        g.outputs().add(Graph.tensorInfo(out, elemType, dims, dimNames));
        return out;
    }
}
