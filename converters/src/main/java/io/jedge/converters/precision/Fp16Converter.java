package io.jedge.converters.precision;

import io.jedge.converters.onnx.Shapes;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts an FP32 ONNX model to FP16 mixed precision (quantization.md §4): weights, constants
 * and activations become float16 except where {@link Fp16Options} keeps FP32; Casts are inserted
 * only where a tensor crosses between the two, shared between consumers, and Cast→Cast chains
 * are merged. Integer tensors (shapes, indices) are untouched. Value infos carry the new element
 * types. The result uses standard ops only, so ONNX Runtime (CPU inserts its own Casts around ops
 * without an FP16 kernel) and TensorRT's ONNX parser (strongly typed) both load it.
 *
 * <pre>{@code
 * Fp16Converter.Result r = Fp16Converter.convert(fp32Model, Fp16Options.defaults());
 * r.model().save(Path.of("model-fp16.onnx"));
 * }</pre>
 *
 * Stateless and thread-safe; the source model is not modified.
 */
public final class Fp16Converter {
    private static final Logger LOG = LoggerFactory.getLogger(Fp16Converter.class);
    private static final int FLOAT = TensorData.FLOAT;
    private static final int FLOAT16 = TensorData.FLOAT16;
    /** Largest finite float16. */
    static final float FP16_MAX = 65504f;
    /** Ops between a long Softmax and the MatMul contracting it that only move data. */
    private static final Set<String> LAYOUT_OPS = Set.of("Transpose", "Reshape", "Identity", "Squeeze", "Unsqueeze", "Flatten");
    private static final Set<String> NORMALIZATIONS = Set.of("LayerNormalization", "GroupNormalization",
            "InstanceNormalization", "BatchNormalization", "SimplifiedLayerNormalization", "SkipLayerNormalization");
    /** Inputs whose schema allows tensor(float) only, whatever the op's T is. */
    private static final Map<String, Set<Integer>> ALWAYS_FLOAT_INPUTS = Map.of("Resize", Set.of(2), "Upsample", Set.of(1));
    /** Inputs of any type: nothing to convert. */
    private static final Set<String> TYPE_AGNOSTIC = Set.of("Cast", "Shape", "Size", "CastLike");

    private Fp16Converter() {
    }

    /**
     * The converted model and what stayed FP32.
     *
     * @param model the FP16 model (a new object)
     * @param keptFp32 node name → why it stayed FP32
     * @param castsInserted Casts in the final graph that this pass added
     */
    public record Result(OnnxModel model, Map<String, String> keptFp32, int castsInserted) {
        public Result {
            keptFp32 = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keptFp32));
        }
    }

    /** Converts a copy of {@code source}. */
    public static Result convert(OnnxModel source, Fp16Options options) {
        OnnxModel m = source.copy();
        Map<String, Shapes.TensorType> types = Shapes.runtimeTypes(m);
        return new Pass(m, types, options).run();
    }

    private static final class Pass {
        final OnnxModel m;
        final Graph g;
        final Map<String, Shapes.TensorType> types;
        final Fp16Options o;
        final Map<Node, String> kept = new LinkedHashMap<>();
        /** Precision of each non-constant float tensor after conversion. */
        final Map<String, Integer> prec = new HashMap<>();
        final Map<String, String> castCache = new HashMap<>();
        final Set<String> castOutputs = new HashSet<>();
        final long opset;

        Pass(OnnxModel m, Map<String, Shapes.TensorType> types, Fp16Options o) {
            this.m = m;
            this.g = m.graph();
            this.types = types;
            this.o = o;
            this.opset = m.opset();
        }

        boolean isFloat(String t) {
            if (t.isEmpty()) {
                return false;
            }
            Shapes.TensorType tt = types.get(t);
            return tt != null && tt.elemType() == FLOAT;
        }

        Result run() {
            Graph.Index idx = g.index();
            chooseKept(idx);
            for (ValueInfoProto v : g.inputs()) {
                if (Graph.elemType(v) == FLOAT) {
                    prec.put(v.getName(), o.keepIoFp32() ? FLOAT : FLOAT16);
                }
            }
            List<Node> snapshot = new ArrayList<>(g.nodes());
            Set<String> constantOutputs = new HashSet<>();
            for (Node n : snapshot) {
                if (n.is("Constant")) {
                    constantOutputs.add(n.output(0));
                    continue;
                }
                boolean keep = kept.containsKey(n);
                if (n.is("Cast")) {
                    if (!keep && n.attrInt("to", 0) == FLOAT) {
                        n.set("to", (long) FLOAT16);
                    }
                    if (n.attrInt("to", 0) == FLOAT || n.attrInt("to", 0) == FLOAT16) {
                        prec.put(n.output(0), (int) n.attrInt("to", 0));
                    }
                    continue;
                }
                if (!keep && n.is("ConstantOfShape") && isFloat(n.output(0))) {
                    TensorProto v = n.attrTensor("value");
                    float fill = v == null ? 0f : g.floats(v)[0];
                    n.set("value", TensorData.ofFloat16("value", new long[] {1}, new float[] {fill}));
                }
                for (String out : n.outputs()) {
                    if (isFloat(out)) {
                        prec.put(out, keep ? FLOAT : FLOAT16);
                    }
                }
            }
            // inputs: constants by demand, activations through shared Casts
            Map<String, List<int[]>> constDemand = new LinkedHashMap<>();
            Map<String, List<Node>> constConsumers = new LinkedHashMap<>();
            for (Node n : snapshot) {
                if (n.is("Constant") || TYPE_AGNOSTIC.contains(n.opType())) {
                    continue;
                }
                boolean keep = kept.containsKey(n);
                Set<Integer> alwaysFloat = ALWAYS_FLOAT_INPUTS.getOrDefault(n.opType(), Set.of());
                for (int i = 0; i < n.inputs().size(); i++) {
                    String t = n.input(i);
                    if (!isFloat(t)) {
                        continue;
                    }
                    int need = keep || alwaysFloat.contains(i) ? FLOAT : FLOAT16;
                    if (g.isInitializer(t) || constantOutputs.contains(t)) {
                        constDemand.computeIfAbsent(t, k -> new ArrayList<>()).add(new int[] {i, need});
                        constConsumers.computeIfAbsent(t, k -> new ArrayList<>()).add(n);
                        continue;
                    }
                    Integer have = prec.get(t);
                    if (have != null && have != need) {
                        n.inputs().set(i, castOf(t, need));
                    }
                }
            }
            convertConstants(constDemand, constConsumers);
            fixOutputs();
            mergeCastChains();
            g.removeDeadNodes();
            updateValueInfos();
            m.metadata().put("jedge.precision", "fp16");
            int casts = 0;
            for (Node n : g.nodes()) {
                if (n.is("Cast") && castOutputs.contains(n.output(0))) {
                    casts++;
                }
            }
            Map<String, String> keptNames = new LinkedHashMap<>();
            kept.forEach((n, why) -> keptNames.put(n.name(), why));
            LOG.info("FP16: {} nodes kept in FP32, {} Casts inserted", keptNames.size(), casts);
            return new Result(m, keptNames, casts);
        }

        void chooseKept(Graph.Index idx) {
            for (Node n : g.nodes()) {
                if (n.is("Constant")) {
                    continue;
                }
                boolean floaty = n.inputs().stream().anyMatch(this::isFloat) || n.outputs().stream().anyMatch(this::isFloat);
                if (!floaty) {
                    continue;
                }
                if (n.is("QuantizeLinear") || n.is("DequantizeLinear")) {
                    kept.put(n, "quantization node (float32 scales)");
                } else if (o.listed(n.opType(), n.name())) {
                    kept.putIfAbsent(n, o.keepFp32Ops().contains(n.opType()) ? "op " + n.opType() + " kept FP32"
                            : "node name listed in keep-fp32");
                } else if (n.attributes().values().stream().anyMatch(a -> a.hasG() || a.getGraphsCount() > 0)) {
                    kept.put(n, "has a subgraph (not converted)");
                } else if (o.keepResidualAdds() && isResidualAdd(n, idx)) {
                    kept.put(n, "residual Add");
                }
            }
            if (o.longSoftmaxAxis() > 0) {
                for (Node n : g.nodes()) {
                    if (n.is("Softmax")) {
                        long len = axisLength(n);
                        if (len > o.longSoftmaxAxis()) {
                            kept.putIfAbsent(n, "Softmax over an axis of " + len + " (> " + o.longSoftmaxAxis() + ")");
                            keepContraction(n, len, idx);
                        }
                    }
                }
            }
        }

        long axisLength(Node softmax) {
            Shapes.TensorType t = types.get(softmax.input(0));
            if (t == null || t.dims() == null) {
                return -1;
            }
            long[] d = t.dims();
            long axis = softmax.attrInt("axis", opset >= 13 ? -1 : 1);
            int a = (int) (axis < 0 ? axis + d.length : axis);
            if (a < 0 || a >= d.length) {
                return -1;
            }
            if (opset < 13) { // coerced to 2-D: the softmax runs over every axis from `axis` on
                long p = 1;
                for (int i = a; i < d.length; i++) {
                    if (d[i] < 0) {
                        return -1;
                    }
                    p *= d[i];
                }
                return p;
            }
            return d[a];
        }

        /** Keeps the layout ops after a long softmax and the MatMuls they feed. */
        void keepContraction(Node softmax, long len, Graph.Index idx) {
            List<String> frontier = new ArrayList<>(List.of(softmax.output(0)));
            Set<String> seen = new HashSet<>();
            while (!frontier.isEmpty()) {
                String t = frontier.remove(frontier.size() - 1);
                if (!seen.add(t)) {
                    continue;
                }
                for (Node c : idx.consumers(t)) {
                    if (c.is("MatMul") || c.is("Gemm") || c.is("Einsum")) {
                        kept.putIfAbsent(c, "contracts the output of the long Softmax " + softmax.name() + " (" + len + ")");
                    } else if (LAYOUT_OPS.contains(c.opType()) && c.domain().isEmpty()) {
                        kept.putIfAbsent(c, "moves the output of the long Softmax " + softmax.name());
                        frontier.add(c.output(0));
                    }
                }
            }
        }

        boolean isResidualAdd(Node n, Graph.Index idx) {
            if (!n.is("Add") || n.inputs().size() != 2) {
                return false;
            }
            for (String in : n.inputs()) {
                if (!isFloat(in) || g.constant(in).isPresent()) {
                    return false;
                }
            }
            List<String> touch = new ArrayList<>(n.inputs());
            touch.add(n.output(0));
            for (String t : touch) {
                for (Node c : idx.consumers(t)) {
                    if (NORMALIZATIONS.contains(c.opType())) {
                        return true;
                    }
                }
            }
            return false;
        }

        String castOf(String t, int to) {
            String key = t + "\u0000" + to;
            String cached = castCache.get(key);
            if (cached != null) {
                return cached;
            }
            String out = g.uniqueName(t + (to == FLOAT16 ? "_to_fp16" : "_to_fp32"));
            Node c = new Node(g.uniqueName(t + "/Cast_" + (to == FLOAT16 ? "fp16" : "fp32")), "Cast", "", List.of(t), List.of(out));
            c.set("to", (long) to);
            g.add(c);
            prec.put(out, to);
            sameShape(out, t);
            castOutputs.add(out);
            castCache.put(key, out);
            return out;
        }

        void convertConstants(Map<String, List<int[]>> demand, Map<String, List<Node>> consumers) {
            for (Map.Entry<String, List<int[]>> e : demand.entrySet()) {
                String name = e.getKey();
                List<int[]> uses = e.getValue();
                boolean wantHalf = uses.stream().anyMatch(u -> u[1] == FLOAT16);
                boolean wantFloat = uses.stream().anyMatch(u -> u[1] == FLOAT);
                if (!wantHalf) {
                    continue;
                }
                TensorProto original = constantTensor(name);
                float[] values = g.floats(original);
                String fp32Copy = null;
                if (wantFloat) {
                    fp32Copy = g.uniqueName(name + "_fp32");
                    g.addInitializer(TensorData.inline(original, g.baseDir()).toBuilder().setName(fp32Copy).build());
                }
                TensorProto half = TensorData.ofFloat16(name, TensorData.dims(original), clampToHalf(name, values));
                Optional<Node> producer = g.initializer(name).isPresent() ? Optional.empty() : g.producer(name);
                if (producer.isPresent()) {
                    Node c = producer.get();
                    c.attributes().clear();
                    c.set("value", half);
                } else {
                    g.initializers().put(name, half);
                }
                if (fp32Copy != null) {
                    List<Node> ns = consumers.get(name);
                    for (int k = 0; k < uses.size(); k++) {
                        if (uses.get(k)[1] == FLOAT) {
                            ns.get(k).inputs().set(uses.get(k)[0], fp32Copy);
                        }
                    }
                }
                types.put(name, new Shapes.TensorType(FLOAT16, TensorData.dims(original)));
            }
        }

        TensorProto constantTensor(String name) {
            Optional<TensorProto> t = g.constant(name);
            if (t.isPresent()) {
                return t.get();
            }
            Node c = g.producer(name).orElseThrow();
            if (c.has("value_float")) {
                return TensorData.ofFloats(name, new long[0], new float[] {c.attrFloat("value_float", 0f)});
            }
            if (c.has("value_floats")) {
                List<Float> fs = c.attributes().get("value_floats").getFloatsList();
                float[] v = new float[fs.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = fs.get(i);
                }
                return TensorData.ofFloats(name, new long[] {v.length}, v);
            }
            throw new IllegalStateException("Constant " + c + " has no float value attribute");
        }

        void fixOutputs() {
            int want = o.keepIoFp32() ? FLOAT : FLOAT16;
            for (int i = 0; i < g.outputs().size(); i++) {
                ValueInfoProto v = g.outputs().get(i);
                String t = v.getName();
                Integer have = prec.get(t);
                if (Graph.elemType(v) != FLOAT || have == null || have == want) {
                    if (Graph.elemType(v) == FLOAT && !o.keepIoFp32()) {
                        g.outputs().set(i, withType(v, FLOAT16));
                    }
                    continue;
                }
                Node producer = g.producer(t).orElse(null);
                if (producer == null) {
                    continue; // an input passed straight through keeps its own type
                }
                String inner = g.uniqueName(t + (have == FLOAT16 ? "_fp16" : "_fp32"));
                producer.outputs().replaceAll(x -> x.equals(t) ? inner : x);
                g.replaceUses(t, inner, List.of());
                prec.put(inner, have);
                sameShape(inner, t);
                Node c = new Node(g.uniqueName(t + "/Cast_output"), "Cast", "", List.of(inner), List.of(t));
                c.set("to", (long) want);
                g.add(c);
                castOutputs.add(t);
                prec.put(t, want);
                g.outputs().set(i, withType(v, want));
            }
            if (!o.keepIoFp32()) {
                for (int i = 0; i < g.inputs().size(); i++) {
                    ValueInfoProto v = g.inputs().get(i);
                    if (Graph.elemType(v) == FLOAT) {
                        g.inputs().set(i, withType(v, FLOAT16));
                    }
                }
            }
        }

        /** Cast(x→a)→Cast(→b) over float types becomes Cast(x→b), or disappears when b is x's type. */
        void mergeCastChains() {
            boolean changed = true;
            while (changed) {
                changed = false;
                Map<String, Node> producers = new HashMap<>();
                for (Node n : g.nodes()) {
                    n.outputs().forEach(out -> producers.put(out, n));
                }
                for (Node b : new ArrayList<>(g.nodes())) {
                    if (!b.is("Cast")) {
                        continue;
                    }
                    Node a = producers.get(b.input(0));
                    if (a == null || !a.is("Cast") || !isFloatType(a.attrInt("to", 0))) {
                        continue;
                    }
                    String x = a.input(0);
                    int xType = typeOf(x);
                    if (!isFloatType(xType)) {
                        continue;
                    }
                    b.inputs().set(0, x);
                    if (b.attrInt("to", 0) == xType && !g.isGraphOutput(b.output(0))) {
                        g.replaceUses(b.output(0), x, List.of());
                        g.nodes().remove(b);
                    }
                    changed = true;
                    break;
                }
            }
        }

        int typeOf(String t) {
            Integer p = prec.get(t);
            if (p != null) {
                return p;
            }
            Shapes.TensorType tt = types.get(t);
            return tt == null ? 0 : tt.elemType();
        }

        static boolean isFloatType(long t) {
            return t == FLOAT || t == FLOAT16;
        }

        void updateValueInfos() {
            Set<String> io = new HashSet<>();
            g.inputs().forEach(v -> io.add(v.getName()));
            g.outputs().forEach(v -> io.add(v.getName()));
            for (Node n : g.nodes()) {
                for (String out : n.outputs()) {
                    Integer p = prec.get(out);
                    if (p == null || io.contains(out)) {
                        continue;
                    }
                    ValueInfoProto v = g.valueInfo().get(out);
                    if (v != null) {
                        g.valueInfo().put(out, withType(v, p));
                    } else {
                        // only shapes known for this very tensor: a guess would be a wrong declaration
                        Shapes.TensorType tt = types.get(out);
                        long[] dims = tt == null ? null : tt.dims();
                        g.valueInfo().put(out, dims == null ? untyped(out, p) : Graph.tensorInfo(out, p, dims));
                    }
                }
            }
        }

        /** {@code copy} (a Cast's output, a renamed output) has the shape of {@code original}. */
        void sameShape(String copy, String original) {
            Shapes.TensorType tt = types.get(original);
            if (tt != null) {
                types.put(copy, tt);
            }
        }

        static ValueInfoProto untyped(String name, int elemType) {
            return ValueInfoProto.newBuilder().setName(name)
                    .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType))).build();
        }

        static ValueInfoProto withType(ValueInfoProto v, int elemType) {
            ValueInfoProto.Builder b = v.toBuilder();
            b.getTypeBuilder().getTensorTypeBuilder().setElemType(elemType);
            return b.build();
        }

        static float[] clampToHalf(String name, float[] v) {
            float[] out = v;
            int clamped = 0;
            for (int i = 0; i < v.length; i++) {
                if (Math.abs(v[i]) > FP16_MAX && Float.isFinite(v[i])) {
                    if (out == v) {
                        out = v.clone();
                    }
                    out[i] = Math.copySign(FP16_MAX, v[i]);
                    clamped++;
                }
            }
            if (clamped > 0) {
                LOG.warn("constant '{}': {} values beyond ±65504 clamped to the float16 range; keep its consumer FP32 "
                        + "(--keep-fp32) if that matters", name, clamped);
            }
            return out;
        }
    }
}
