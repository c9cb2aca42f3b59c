package io.jedge.converters.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.LongBinaryOperator;

/**
 * The one shape and type inference of the converters. {@link #infer} gives static shapes and small
 * constant values of a graph, for pattern matching; {@link #elementTypes} the element type of every
 * tensor by propagation; {@link #runtimeTypes} asks ONNX Runtime for the exact type and shape of
 * every node output, with the propagation as the fallback where it has no answer.
 *
 * <p>{@link #infer} uses the model's own
 * value infos and fills the gaps (TorchScript exports carry none) with a partial shape inference
 * over the ops transformer exports use; shape arithmetic ({@code Shape → Gather → Concat → Reshape})
 * is evaluated on small integer tensors. Dims are -1 where unknown (the batch), a whole shape is
 * null where even the rank is unknown, and unknown values are NaN.
 */
public final class Shapes {
    private static final int MAX_VALUE_ELEMENTS = 64;

    private final Graph g;
    private final Map<String, long[]> dims = new HashMap<>();
    private final Map<String, double[]> values = new HashMap<>();
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, double[]> bounds = new HashMap<>();

    private Shapes(Graph g) {
        this.g = g;
    }

    public static Shapes infer(Graph g) {
        Shapes s = new Shapes(g);
        for (Map.Entry<String, TensorProto> e : g.initializers().entrySet()) {
            s.seedConstant(e.getKey(), e.getValue());
        }
        for (ValueInfoProto v : g.inputs()) {
            if (v.getType().hasTensorType() && v.getType().getTensorType().hasShape()) {
                s.dims.put(v.getName(), Graph.dims(v));
            }
        }
        g.topologicalSort();
        for (Node n : g.nodes()) {
            n.outputs().forEach(o -> s.producers.put(o, n));
            try {
                s.visit(n);
            } catch (RuntimeException e) {
                // an op we cannot follow only leaves its outputs unknown
            }
            for (String o : n.outputs()) {
                s.mergeDeclared(o);
            }
        }
        return s;
    }

    public long[] dims(String t) {
        long[] d = dims.get(t);
        return d == null ? null : d.clone();
    }

    public int rank(String t) {
        long[] d = dims.get(t);
        return d == null ? -1 : d.length;
    }

    /** Dimension {@code i} (negative counts from the end), -1 when unknown. */
    public long dim(String t, int i) {
        long[] d = dims.get(t);
        if (d == null) {
            return -1;
        }
        int k = i < 0 ? d.length + i : i;
        return k < 0 || k >= d.length ? -1 : d[k];
    }

    /** The value of a small tensor, NaN where unknown; null if not tracked. */
    public double[] value(String t) {
        return values.get(t);
    }

    /** A known scalar (or single-element) value, NaN otherwise. */
    public double scalar(String t) {
        double[] v = values.get(t);
        return v != null && v.length == 1 ? v[0] : Double.NaN;
    }

    /**
     * {lowest, highest} over every element of a tensor computed from constants and shapes alone
     * (masks built from {@code Range}, comparisons and {@code Where}), or null when that depends on
     * the data or on an op not followed. Lets the finder see that a mask allows every key.
     */
    public double[] bounds(String t) {
        return bounds(t, 0);
    }

    private double[] bounds(String t, int depth) {
        if (bounds.containsKey(t)) {
            return bounds.get(t);
        }
        double[] b = depth > 48 ? null : computeBounds(t, depth);
        bounds.put(t, b);
        return b;
    }

    private double[] computeBounds(String t, int depth) {
        double[] known = values.get(t);
        if (known != null && Arrays.stream(known).noneMatch(Double::isNaN)) {
            return known.length == 0 ? null : span(known);
        }
        Optional<TensorProto> c = g.constant(t);
        if (c.isPresent()) {
            return TensorData.elementCount(c.get()) == 0 ? null : span(toDoubles(c.get()));
        }
        Node n = producers.get(t);
        if (n == null || !(n.domain().isEmpty() || n.domain().equals("ai.onnx"))) {
            return null;
        }
        IntFunction<double[]> in = i -> n.input(i).isEmpty() ? null : bounds(n.input(i), depth + 1);
        switch (n.opType()) {
            case "Identity", "Unsqueeze", "Squeeze", "Reshape", "Expand", "Transpose", "Flatten", "Slice", "Tile",
                    "Gather", "GatherElements", "Dropout" -> {
                return in.apply(0);
            }
            case "Cast" -> {
                double[] x = in.apply(0);
                long to = n.attrInt("to", 0);
                if (x == null || isFloat(to)) {
                    return x;
                }
                if (to != TensorData.BOOL) {
                    // to an integer: truncation is monotonic, so it maps the bounds
                    return new double[] {trunc(x[0]), trunc(x[1])};
                }
                return x[0] > 0 || x[1] < 0 ? new double[] {1, 1} : x[0] == 0 && x[1] == 0 ? new double[] {0, 0} : new double[] {0, 1};
            }
            case "ConstantOfShape" -> {
                double fill = n.has("value") ? toDoubles(n.attrTensor("value"))[0] : 0;
                return new double[] {fill, fill};
            }
            case "Range" -> {
                double[] start = in.apply(0);
                double[] limit = in.apply(1);
                return start == null || limit == null ? null
                        : new double[] {Math.min(start[0], limit[0]), Math.max(start[1], limit[1])};
            }
            case "Concat" -> {
                double[] all = null;
                for (int i = 0; i < n.inputs().size(); i++) {
                    double[] x = in.apply(i);
                    if (x == null) {
                        return null;
                    }
                    all = all == null ? x.clone() : new double[] {Math.min(all[0], x[0]), Math.max(all[1], x[1])};
                }
                return all;
            }
            case "Where" -> {
                double[] cond = in.apply(0);
                if (cond != null && cond[0] > 0) {
                    return in.apply(1);
                }
                if (cond != null && cond[1] == 0) {
                    return in.apply(2);
                }
                double[] x = in.apply(1);
                double[] y = in.apply(2);
                return x == null || y == null ? null : new double[] {Math.min(x[0], y[0]), Math.max(x[1], y[1])};
            }
            case "Not" -> {
                double[] x = in.apply(0);
                return x == null ? null : new double[] {x[1] != 0 ? 0 : 1, x[0] != 0 ? 0 : 1};
            }
            case "Neg" -> {
                double[] x = in.apply(0);
                return x == null ? null : new double[] {-x[1], -x[0]};
            }
            case "Add", "Sub", "Mul", "And", "Or", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual" -> {
                double[] a = in.apply(0);
                double[] b = in.apply(1);
                return a == null || b == null ? null : binaryBounds(n.opType(), a, b);
            }
            default -> {
                return null;
            }
        }
    }

    private static double[] binaryBounds(String op, double[] a, double[] b) {
        double[] r = switch (op) {
            case "Add" -> new double[] {a[0] + b[0], a[1] + b[1]};
            case "Sub" -> new double[] {a[0] - b[1], a[1] - b[0]};
            case "Mul" -> span(new double[] {a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]});
            case "And" -> new double[] {Math.min(a[0], b[0]) != 0 ? 1 : 0, Math.min(a[1], b[1]) != 0 ? 1 : 0};
            case "Or" -> new double[] {Math.max(a[0], b[0]) != 0 ? 1 : 0, Math.max(a[1], b[1]) != 0 ? 1 : 0};
            case "Equal" -> a[0] == a[1] && b[0] == b[1] ? truth(a[0] == b[0]) : a[1] < b[0] || b[1] < a[0] ? truth(false) : null;
            case "Less" -> a[1] < b[0] ? truth(true) : a[0] >= b[1] ? truth(false) : null;
            case "LessOrEqual" -> a[1] <= b[0] ? truth(true) : a[0] > b[1] ? truth(false) : null;
            case "Greater" -> a[0] > b[1] ? truth(true) : a[1] <= b[0] ? truth(false) : null;
            case "GreaterOrEqual" -> a[0] >= b[1] ? truth(true) : a[1] < b[0] ? truth(false) : null;
            default -> null;
        };
        if (r == null) {
            return isComparison(op) ? new double[] {0, 1} : null;
        }
        return Double.isNaN(r[0]) || Double.isNaN(r[1]) ? null : r;
    }

    /** Whether an ONNX element type is a floating-point one. */
    public static boolean isFloat(long elemType) {
        return elemType == TensorProto.DataType.FLOAT_VALUE || elemType == TensorProto.DataType.FLOAT16_VALUE
                || elemType == TensorProto.DataType.BFLOAT16_VALUE || elemType == TensorProto.DataType.DOUBLE_VALUE;
    }

    private static double trunc(double v) {
        return Double.isInfinite(v) ? v : v < 0 ? Math.ceil(v) : Math.floor(v);
    }

    private static boolean isComparison(String op) {
        return op.equals("Equal") || op.startsWith("Less") || op.startsWith("Greater");
    }

    private static double[] truth(boolean v) {
        return v ? new double[] {1, 1} : new double[] {0, 0};
    }

    private static double[] span(double[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            if (Double.isNaN(x)) {
                return null;
            }
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return new double[] {lo, hi};
    }

    private void seedConstant(String name, TensorProto t) {
        dims.put(name, TensorData.dims(t));
        if (TensorData.elementCount(t) <= MAX_VALUE_ELEMENTS) {
            try {
                values.put(name, toDoubles(t));
            } catch (RuntimeException e) {
                // non-numeric constant: shape only
            }
        }
    }

    private double[] toDoubles(TensorProto t) {
        int type = t.getDataType();
        if (type == TensorData.FLOAT || type == TensorData.FLOAT16 || type == TensorProto.DataType.DOUBLE_VALUE) {
            float[] f = TensorData.floats(t, g.baseDir());
            double[] out = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
            return out;
        }
        return Arrays.stream(TensorData.longs(t, g.baseDir())).asDoubleStream().toArray();
    }

    private void mergeDeclared(String t) {
        ValueInfoProto v = g.valueInfo(t);
        if (v == null || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return;
        }
        long[] declared = Graph.dims(v);
        long[] mine = dims.get(t);
        if (mine == null || mine.length != declared.length) {
            dims.put(t, declared);
            return;
        }
        for (int i = 0; i < mine.length; i++) {
            if (declared[i] >= 0) {
                mine[i] = declared[i];
            }
        }
    }

    private long[] d(Node n, int i) {
        String in = n.input(i);
        return in.isEmpty() ? null : dims.get(in);
    }

    private double[] v(Node n, int i) {
        String in = n.input(i);
        return in.isEmpty() ? null : values.get(in);
    }

    private void out(Node n, long[] shape, double[] value) {
        if (shape != null) {
            dims.put(n.output(0), shape);
        }
        if (value != null && value.length <= MAX_VALUE_ELEMENTS) {
            values.put(n.output(0), value);
        }
    }

    private void visit(Node n) {
        String op = n.domain().isEmpty() || n.domain().equals("ai.onnx") ? n.opType() : n.domain() + "::" + n.opType();
        switch (op) {
            case "Constant" -> {
                if (n.has("value")) {
                    TensorProto t = n.attrTensor("value");
                    dims.put(n.output(0), TensorData.dims(t));
                    if (TensorData.elementCount(t) <= MAX_VALUE_ELEMENTS) {
                        values.put(n.output(0), toDoubles(t));
                    }
                } else if (n.has("value_float")) {
                    out(n, new long[0], new double[] {n.attrFloat("value_float", 0)});
                } else if (n.has("value_int")) {
                    out(n, new long[0], new double[] {n.attrInt("value_int", 0)});
                } else if (n.has("value_ints")) {
                    List<Long> l = n.attrInts("value_ints");
                    out(n, new long[] {l.size()}, l.stream().mapToDouble(Long::doubleValue).toArray());
                }
            }
            case "Identity", "Cast", "Erf", "Gelu", "Relu", "Sigmoid", "Tanh", "Softmax", "LayerNormalization", "Neg",
                    "Sqrt", "Reciprocal", "Exp", "Dropout", "Abs", "CastLike", "Log", "Floor", "Ceil", "Round",
                    "BatchNormalization", "InstanceNormalization", "HardSwish", "HardSigmoid", "Softplus", "LeakyRelu",
                    "Elu", "Selu", "Mish", "Clip", "Sin", "Cos", "Not", "LogSoftmax", "SimplifiedLayerNormalization",
                    "IsNaN", "IsInf", "LpNormalization" -> {
                double[] x = v(n, 0);
                out(n, copy(d(n, 0)), x == null ? null : unary(op, x));
            }
            case "Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And",
                    "Or", "Xor", "Max", "Min", "Mod" -> {
                long[] a = d(n, 0);
                long[] b = d(n, 1);
                out(n, broadcast(a, b), binary(op, v(n, 0), v(n, 1), a, b));
            }
            case "Where" -> {
                long[] s = broadcast(broadcast(d(n, 0), d(n, 1)), d(n, 2));
                double[] c = v(n, 0);
                double[] x = v(n, 1);
                double[] y = v(n, 2);
                double[] val = null;
                if (c != null && x != null && y != null && s != null && s.length <= 1) {
                    int len = s.length == 0 ? 1 : (int) s[0];
                    val = new double[len];
                    for (int i = 0; i < len; i++) {
                        double ci = at(c, i);
                        val[i] = Double.isNaN(ci) ? Double.NaN : ci != 0 ? at(x, i) : at(y, i);
                    }
                }
                out(n, s, val);
            }
            case "Shape" -> {
                long[] x = d(n, 0);
                if (x != null) {
                    int start = (int) norm(n.attrInt("start", 0), x.length, true);
                    int end = (int) norm(n.attrInt("end", x.length), x.length, true);
                    double[] val = new double[Math.max(0, end - start)];
                    for (int i = start; i < end; i++) {
                        val[i - start] = x[i] < 0 ? Double.NaN : x[i];
                    }
                    out(n, new long[] {val.length}, val);
                }
            }
            case "Gather" -> gather(n);
            case "Unsqueeze" -> unsqueeze(n);
            case "Squeeze" -> squeeze(n);
            case "Concat" -> concat(n);
            case "Reshape" -> reshape(n);
            case "Flatten" -> {
                long[] x = d(n, 0);
                if (x != null) {
                    int axis = (int) norm(n.attrInt("axis", 1), x.length, true);
                    out(n, new long[] {prod(x, 0, axis), prod(x, axis, x.length)}, null);
                }
            }
            case "Transpose" -> {
                long[] x = d(n, 0);
                if (x != null) {
                    List<Long> perm = n.attrInts("perm");
                    int[] from = new int[x.length];
                    long[] s = new long[x.length];
                    for (int i = 0; i < s.length; i++) {
                        from[i] = perm.isEmpty() ? x.length - 1 - i : perm.get(i).intValue();
                        s[i] = x[from[i]];
                    }
                    double[] xv = v(n, 0);
                    double[] val = null;
                    if (xv != null && known(s)) {
                        val = gatherValuesPermuted(xv, x, s, from);
                    }
                    out(n, s, val);
                }
            }
            case "Slice" -> slice(n);
            case "Split" -> split(n);
            case "MatMul" -> matMul(n);
            case "Gemm" -> {
                long[] a = d(n, 0);
                long[] b = d(n, 1);
                if (a != null && b != null) {
                    long m = n.attrInt("transA", 0) == 1 ? a[1] : a[0];
                    long k = n.attrInt("transB", 0) == 1 ? b[0] : b[1];
                    out(n, new long[] {m, k}, null);
                }
            }
            case "Conv", "AveragePool", "MaxPool" -> conv(n);
            case "Resize", "Upsample" -> resize(n);
            case "GlobalAveragePool", "GlobalMaxPool" -> {
                long[] x = d(n, 0);
                if (x != null && x.length >= 3) {
                    long[] s = x.clone();
                    Arrays.fill(s, 2, s.length, 1);
                    out(n, s, null);
                }
            }
            case "Pad" -> {
                long[] x = d(n, 0);
                double[] pads = v(n, 1);
                if (x != null && pads != null && pads.length == 2 * x.length) {
                    long[] s = new long[x.length];
                    for (int i = 0; i < s.length; i++) {
                        s[i] = x[i] < 0 || Double.isNaN(pads[i]) || Double.isNaN(pads[i + x.length]) ? -1
                                : x[i] + (long) pads[i] + (long) pads[i + x.length];
                    }
                    out(n, s, null);
                }
            }
            case "Expand" -> {
                long[] x = d(n, 0);
                double[] s = v(n, 1);
                if (x != null && s != null) {
                    out(n, broadcast(x, toDims(s)), null);
                }
            }
            case "ConstantOfShape" -> {
                double[] s = v(n, 0);
                if (s != null) {
                    long[] shape = toDims(s);
                    double fill = 0;
                    if (n.has("value")) {
                        fill = toDoubles(n.attrTensor("value"))[0];
                    }
                    double[] val = null;
                    if (shape.length == 1 && shape[0] >= 0 && shape[0] <= MAX_VALUE_ELEMENTS) {
                        val = new double[(int) shape[0]];
                        Arrays.fill(val, fill);
                    }
                    out(n, shape, val);
                }
            }
            case "Tile" -> {
                long[] x = d(n, 0);
                double[] reps = v(n, 1);
                if (x != null && reps != null && reps.length == x.length) {
                    long[] o = new long[x.length];
                    for (int i = 0; i < o.length; i++) {
                        o[i] = x[i] < 0 || Double.isNaN(reps[i]) ? -1 : x[i] * (long) reps[i];
                    }
                    out(n, o, null);
                }
            }
            case "Range" -> {
                double start = scalar(n.input(0));
                double limit = scalar(n.input(1));
                double delta = scalar(n.input(2));
                if (!Double.isNaN(start) && !Double.isNaN(limit) && !Double.isNaN(delta) && delta != 0) {
                    long len = Math.max(0, (long) Math.ceil((limit - start) / delta));
                    double[] val = null;
                    if (len <= MAX_VALUE_ELEMENTS) {
                        val = new double[(int) len];
                        for (int i = 0; i < len; i++) {
                            val[i] = start + i * delta;
                        }
                    }
                    out(n, new long[] {len}, val);
                } else {
                    out(n, new long[] {-1}, null);
                }
            }
            case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceL2", "ReduceL1", "ReduceProd",
                    "ReduceSumSquare" -> {
                long[] x = d(n, 0);
                if (x != null) {
                    List<Long> axes = n.attrInts("axes");
                    double[] av = v(n, 1);
                    long[] ax = av != null ? toDims(av) : axes.stream().mapToLong(Long::longValue).toArray();
                    boolean[] reduced = new boolean[x.length];
                    if (ax.length == 0) {
                        Arrays.fill(reduced, true);
                    }
                    for (long a : ax) {
                        reduced[(int) norm(a, x.length, false)] = true;
                    }
                    out(n, dropAxes(x, reduced, n.attrInt("keepdims", 1) == 1), null);
                }
            }
            case "Attention" -> {
                // ONNX Attention (opset 23): output has Q's leading dims and V's head size
                long[] q = d(n, 0);
                long[] vv = d(n, 2);
                if (q != null && vv != null && q.length == 4) {
                    out(n, new long[] {q[0], q[1], q[2], vv[3]}, null);
                } else if (q != null && vv != null && q.length == 3) {
                    long heads = n.attrInt("q_num_heads", -1);
                    long kvHeads = n.attrInt("kv_num_heads", -1);
                    long vHead = kvHeads > 0 && vv[2] >= 0 ? vv[2] / kvHeads : -1;
                    out(n, new long[] {q[0], q[1], heads > 0 && vHead > 0 ? heads * vHead : -1}, null);
                }
            }
            case "com.microsoft::MultiHeadAttention", "com.microsoft::Attention" -> {
                long[] q = d(n, 0);
                if (q != null && q.length == 3) {
                    long hidden = q[2];
                    if (op.endsWith("::Attention")) {
                        long[] w = d(n, 1);
                        List<Long> sizes = n.attrInts("qkv_hidden_sizes");
                        hidden = !sizes.isEmpty() ? sizes.get(2) : w != null && w[1] >= 0 ? w[1] / 3 : -1;
                    }
                    out(n, new long[] {q[0], q[1], hidden}, null);
                }
            }
            default -> {
                // unknown op: outputs stay unknown unless declared
            }
        }
    }

    /**
     * Resize (opset 10+: X, [roi,] scales [, sizes]; opset 18 may name {@code axes}) and the old
     * Upsample: output sizes where they are constant or computed from shapes, else scaled dims.
     */
    private void resize(Node n) {
        long[] x = d(n, 0);
        if (x == null) {
            return;
        }
        int sizesAt = n.opType().equals("Resize") ? 3 : -1;
        int scalesAt = n.opType().equals("Resize") ? (n.inputs().size() == 2 ? 1 : 2) : 1;
        List<Long> axesAttr = n.attrInts("axes");
        long[] axes = new long[axesAttr.isEmpty() ? x.length : axesAttr.size()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axesAttr.isEmpty() ? i : norm(axesAttr.get(i), x.length, false);
        }
        double[] sizes = sizesAt > 0 && n.inputs().size() > sizesAt ? v(n, sizesAt) : null;
        double[] scales = scalesAt < n.inputs().size() ? v(n, scalesAt) : null;
        long[] s = x.clone();
        if (sizes != null && sizes.length == axes.length) {
            for (int i = 0; i < axes.length; i++) {
                s[(int) axes[i]] = Double.isNaN(sizes[i]) ? -1 : (long) sizes[i];
            }
        } else if (scales != null && scales.length == axes.length) {
            for (int i = 0; i < axes.length; i++) {
                long in = x[(int) axes[i]];
                s[(int) axes[i]] = in < 0 || Double.isNaN(scales[i]) ? -1 : (long) Math.floor(in * scales[i]);
            }
        } else {
            // the spatial dims are computed at run time: only the rank and the untouched leading dims are known
            for (int i = 2; i < s.length; i++) {
                s[i] = -1;
            }
        }
        out(n, s, null);
    }

    private static double at(double[] v, int i) {
        return v.length == 1 ? v[0] : v[i];
    }

    private static long[] copy(long[] d) {
        return d == null ? null : d.clone();
    }

    private static double[] unary(String op, double[] x) {
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            o[i] = switch (op) {
                case "Identity", "Cast", "CastLike", "Dropout" -> x[i];
                case "Sqrt" -> Math.sqrt(x[i]);
                case "Reciprocal" -> 1 / x[i];
                case "Neg" -> -x[i];
                case "Exp" -> Math.exp(x[i]);
                case "Abs" -> Math.abs(x[i]);
                case "Log" -> Math.log(x[i]);
                case "Floor" -> Math.floor(x[i]);
                case "Ceil" -> Math.ceil(x[i]);
                case "Round" -> Math.rint(x[i]);
                default -> Double.NaN;
            };
        }
        return op.equals("Softmax") || op.equals("LayerNormalization") || op.equals("Erf") || op.equals("Gelu")
                ? null : o;
    }

    private static double[] binary(String op, double[] a, double[] b, long[] da, long[] db) {
        if (a == null || b == null || da == null || db == null || da.length > 1 || db.length > 1) {
            return null;
        }
        int len = Math.max(a.length, b.length);
        if (a.length != 1 && b.length != 1 && a.length != b.length) {
            return null;
        }
        double[] o = new double[len];
        for (int i = 0; i < len; i++) {
            double x = at(a, i);
            double y = at(b, i);
            o[i] = switch (op) {
                case "Add" -> x + y;
                case "Sub" -> x - y;
                case "Mul" -> x * y;
                case "Div" -> y == 0 ? Double.NaN : x / y;
                case "Pow" -> Math.pow(x, y);
                case "Max" -> Math.max(x, y);
                case "Min" -> Math.min(x, y);
                case "Equal" -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : x == y ? 1 : 0;
                case "Less" -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : x < y ? 1 : 0;
                case "Greater" -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : x > y ? 1 : 0;
                case "LessOrEqual" -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : x <= y ? 1 : 0;
                case "GreaterOrEqual" -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : x >= y ? 1 : 0;
                case "Mod" -> y == 0 ? Double.NaN : x - Math.floor(x / y) * y;
                default -> Double.NaN;
            };
        }
        return o;
    }

    static long[] broadcast(long[] a, long[] b) {
        if (a == null || b == null) {
            return null;
        }
        int r = Math.max(a.length, b.length);
        long[] s = new long[r];
        for (int i = 0; i < r; i++) {
            long x = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            long y = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            s[i] = x == 1 ? y : y == 1 ? x : x >= 0 ? x : y;
        }
        return s;
    }

    private static boolean known(long[] shape) {
        return Arrays.stream(shape).allMatch(v -> v >= 0) && prodAll(shape) <= MAX_VALUE_ELEMENTS;
    }

    private static long prodAll(long[] shape) {
        long p = 1;
        for (long v : shape) {
            p *= v;
        }
        return p;
    }

    /** Output element values where output index i along axis a reads input index {@code at(i, a)}. */
    private static double[] gatherValues(double[] xv, long[] in, long[] out, LongBinaryOperator at) {
        return remap(xv, in, out, idx -> {
            long src = 0;
            for (int a = 0; a < out.length; a++) {
                src = src * in[a] + at.applyAsLong(idx[a], a);
            }
            return src;
        });
    }

    /** Output element values of a transpose: output axis a is input axis {@code from[a]}. */
    private static double[] gatherValuesPermuted(double[] xv, long[] in, long[] out, int[] from) {
        long[] inIdx = new long[in.length];
        return remap(xv, in, out, idx -> {
            for (int a = 0; a < out.length; a++) {
                inIdx[from[a]] = idx[a];
            }
            long src = 0;
            for (int a = 0; a < in.length; a++) {
                src = src * in[a] + inIdx[a];
            }
            return src;
        });
    }

    /** Output element values, each read from the input's flat index that {@code source} gives for its output index. */
    private static double[] remap(double[] xv, long[] in, long[] out, java.util.function.ToLongFunction<long[]> source) {
        if (xv.length != prodAll(in)) {
            return null;
        }
        double[] o = new double[(int) prodAll(out)];
        long[] idx = new long[out.length];
        for (int e = 0; e < o.length; e++) {
            long rest = e;
            for (int a = out.length - 1; a >= 0; a--) {
                idx[a] = rest % out[a];
                rest /= out[a];
            }
            o[e] = xv[(int) source.applyAsLong(idx)];
        }
        return o;
    }

    private static long norm(long axis, int rank, boolean clamp) {
        long a = axis < 0 ? axis + rank : axis;
        return clamp ? Math.max(0, Math.min(rank, a)) : a;
    }

    private static long prod(long[] x, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            if (x[i] < 0) {
                return -1;
            }
            p *= x[i];
        }
        return p;
    }

    private static long[] toDims(double[] v) {
        long[] o = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = Double.isNaN(v[i]) ? -1 : (long) v[i];
        }
        return o;
    }

    private long[] axesOf(Node n, int inputIndex) {
        if (!n.input(inputIndex).isEmpty()) {
            double[] a = v(n, inputIndex);
            return a == null ? null : toDims(a);
        }
        List<Long> l = n.attrInts("axes");
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    private void gather(Node n) {
        long[] x = d(n, 0);
        long[] idx = d(n, 1);
        if (x == null || idx == null) {
            return;
        }
        int axis = (int) norm(n.attrInt("axis", 0), x.length, false);
        long[] s = new long[x.length - 1 + idx.length];
        int k = 0;
        for (int i = 0; i < axis; i++) {
            s[k++] = x[i];
        }
        for (long i : idx) {
            s[k++] = i;
        }
        for (int i = axis + 1; i < x.length; i++) {
            s[k++] = x[i];
        }
        double[] xv = v(n, 0);
        double[] iv = v(n, 1);
        double[] val = null;
        if (xv != null && iv != null && x.length == 1) {
            val = new double[iv.length];
            for (int i = 0; i < iv.length; i++) {
                int j = (int) (iv[i] < 0 ? iv[i] + xv.length : iv[i]);
                val[i] = Double.isNaN(iv[i]) || j < 0 || j >= xv.length ? Double.NaN : xv[j];
            }
        }
        out(n, s, val);
    }

    private void unsqueeze(Node n) {
        long[] x = d(n, 0);
        long[] axes = axesOf(n, 1);
        if (x == null || axes == null) {
            return;
        }
        int r = x.length + axes.length;
        boolean[] added = new boolean[r];
        for (long a : axes) {
            added[(int) norm(a, r, false)] = true;
        }
        long[] s = new long[r];
        int k = 0;
        for (int i = 0; i < r; i++) {
            s[i] = added[i] ? 1 : x[k++];
        }
        out(n, s, v(n, 0));
    }

    private void squeeze(Node n) {
        long[] x = d(n, 0);
        long[] axes = axesOf(n, 1);
        if (x == null) {
            return;
        }
        boolean[] drop = new boolean[x.length];
        if (axes == null || axes.length == 0) {
            for (int i = 0; i < x.length; i++) {
                drop[i] = x[i] == 1;
            }
        } else {
            for (long a : axes) {
                drop[(int) norm(a, x.length, false)] = true;
            }
        }
        out(n, dropAxes(x, drop, false), v(n, 0));
    }

    /** {@code x} without the dropped axes, or with them as 1 when {@code keepAsOne} (keepdims). */
    private static long[] dropAxes(long[] x, boolean[] drop, boolean keepAsOne) {
        long[] s = new long[x.length];
        int k = 0;
        for (int i = 0; i < x.length; i++) {
            if (!drop[i]) {
                s[k++] = x[i];
            } else if (keepAsOne) {
                s[k++] = 1;
            }
        }
        return Arrays.copyOf(s, k);
    }

    private void concat(Node n) {
        long[] first = d(n, 0);
        if (first == null) {
            return;
        }
        int axis = (int) norm(n.attrInt("axis", 0), first.length, false);
        long[] s = first.clone();
        s[axis] = 0;
        boolean valueKnown = first.length == 1;
        int total = 0;
        for (String in : n.inputs()) {
            long[] x = dims.get(in);
            if (x == null) {
                s[axis] = -1;
                valueKnown = false;
                break;
            }
            s[axis] = s[axis] < 0 || x[axis] < 0 ? -1 : s[axis] + x[axis];
            for (int i = 0; i < s.length; i++) {
                if (i != axis && s[i] < 0) {
                    s[i] = x[i];
                }
            }
            if (!values.containsKey(in)) {
                valueKnown = false;
            } else {
                total += values.get(in).length;
            }
        }
        double[] val = null;
        if (valueKnown) {
            val = new double[total];
            int k = 0;
            for (String in : n.inputs()) {
                for (double x : values.get(in)) {
                    val[k++] = x;
                }
            }
        }
        out(n, s, val);
    }

    private void reshape(Node n) {
        long[] x = d(n, 0);
        double[] target = v(n, 1);
        if (target == null) {
            long[] td = d(n, 1);
            if (td != null && td.length == 1 && td[0] >= 0) {
                long[] s = new long[(int) td[0]];
                Arrays.fill(s, -1);
                out(n, s, null);
            }
            return;
        }
        boolean allowZero = n.attrInt("allowzero", 0) == 1;
        long[] s = new long[target.length];
        int inferred = -1;
        long knownOut = 1;
        int unknownOut = 0;
        for (int i = 0; i < s.length; i++) {
            double t = target[i];
            if (Double.isNaN(t)) {
                s[i] = -1;
                unknownOut++;
            } else if (t == 0 && !allowZero) {
                s[i] = x != null && i < x.length ? x[i] : -1;
                if (s[i] < 0) {
                    unknownOut++;
                } else {
                    knownOut *= s[i];
                }
            } else if (t == -1) {
                inferred = i;
                s[i] = -1;
            } else {
                s[i] = (long) t;
                knownOut *= s[i];
            }
        }
        if (inferred >= 0 && x != null) {
            long knownIn = 1;
            int unknownIn = 0;
            for (long e : x) {
                if (e < 0) {
                    unknownIn++;
                } else {
                    knownIn *= e;
                }
            }
            // an unknown input dim (the batch) is assumed to reappear as the unknown output dim
            if (unknownIn == unknownOut && knownOut != 0 && knownIn % knownOut == 0) {
                s[inferred] = knownIn / knownOut;
            }
        }
        double[] xv = v(n, 0);
        out(n, s, xv != null && prod(s, 0, s.length) == xv.length ? xv : null);
    }

    private void slice(Node n) {
        long[] x = d(n, 0);
        if (x == null) {
            return;
        }
        double[] starts = v(n, 1);
        double[] ends = v(n, 2);
        long[] axes = n.input(3).isEmpty() ? null : axesOf(n, 3);
        double[] steps = n.input(4).isEmpty() ? null : v(n, 4);
        if (starts == null || ends == null || (!n.input(3).isEmpty() && axes == null)) {
            long[] s = x.clone();
            if (axes != null) {
                for (long a : axes) {
                    s[(int) norm(a, x.length, false)] = -1;
                }
            } else {
                Arrays.fill(s, -1);
            }
            out(n, s, null);
            return;
        }
        long[] s = x.clone();
        double[] xv = v(n, 0);
        double[] val = null;
        long[] first = new long[x.length];
        long[] stride = new long[x.length];
        Arrays.fill(stride, 1);
        for (int i = 0; i < starts.length; i++) {
            int axis = (int) (axes == null ? i : norm(axes[i], x.length, false));
            long step = steps == null ? 1 : (long) steps[i];
            long len = x[axis];
            if (len < 0 || Double.isNaN(starts[i]) || Double.isNaN(ends[i]) || step == 0) {
                s[axis] = -1;
                continue;
            }
            long st = clampIndex((long) Math.max(Long.MIN_VALUE / 2, Math.min(Long.MAX_VALUE / 2, starts[i])), len, step);
            long en = clampIndex((long) Math.max(Long.MIN_VALUE / 2, Math.min(Long.MAX_VALUE / 2, ends[i])), len, step);
            long count = step > 0 ? Math.max(0, (en - st + step - 1) / step) : Math.max(0, (st - en - step - 1) / -step);
            s[axis] = count;
            first[axis] = st;
            stride[axis] = step;
        }
        if (xv != null && known(s)) {
            // pads and shapes are sliced as small multi-dimensional tensors too (F.pad's flipped pad list)
            val = gatherValues(xv, x, s, (out, i) -> first[(int) i] + out * stride[(int) i]);
        }
        out(n, s, val);
    }

    private static long clampIndex(long i, long len, long step) {
        long v = i < 0 ? i + len : i;
        return step > 0 ? Math.max(0, Math.min(len, v)) : Math.max(-1, Math.min(len - 1, v));
    }

    private void split(Node n) {
        long[] x = d(n, 0);
        if (x == null) {
            return;
        }
        int axis = (int) norm(n.attrInt("axis", 0), x.length, false);
        int parts = n.outputs().size();
        long[] sizes;
        double[] sv = n.input(1).isEmpty() ? null : v(n, 1);
        if (sv != null) {
            sizes = toDims(sv);
        } else if (n.has("split")) {
            sizes = n.attrInts("split").stream().mapToLong(Long::longValue).toArray();
        } else {
            sizes = new long[parts];
            Arrays.fill(sizes, x[axis] < 0 ? -1 : x[axis] / parts);
        }
        for (int i = 0; i < parts && i < sizes.length; i++) {
            long[] s = x.clone();
            s[axis] = sizes[i];
            dims.put(n.output(i), s);
        }
    }

    private void matMul(Node n) {
        long[] a = d(n, 0);
        long[] b = d(n, 1);
        if (a == null || b == null || a.length < 1 || b.length < 1) {
            return;
        }
        long[] aa = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] bb = b.length == 1 ? new long[] {b[0], 1} : b;
        long[] batch = broadcast(Arrays.copyOf(aa, aa.length - 2), Arrays.copyOf(bb, bb.length - 2));
        long[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = aa[aa.length - 2];
        s[batch.length + 1] = bb[bb.length - 1];
        if (a.length == 1 || b.length == 1) {
            s = a.length == 1 ? removeAt(s, s.length - 2) : removeAt(s, s.length - 1);
        }
        out(n, s, null);
    }

    private static long[] removeAt(long[] s, int i) {
        long[] o = new long[s.length - 1];
        System.arraycopy(s, 0, o, 0, i);
        System.arraycopy(s, i + 1, o, i, s.length - i - 1);
        return o;
    }

    private void conv(Node n) {
        long[] x = d(n, 0);
        if (x == null || x.length < 3) {
            return;
        }
        int sp = x.length - 2;
        long[] kernel;
        long channels;
        if (n.is("Conv")) {
            long[] w = d(n, 1);
            if (w == null) {
                return;
            }
            kernel = Arrays.copyOfRange(w, 2, w.length);
            channels = w[0];
        } else {
            kernel = n.attrInts("kernel_shape").stream().mapToLong(Long::longValue).toArray();
            channels = x[1];
        }
        List<Long> strides = n.attrInts("strides");
        List<Long> pads = n.attrInts("pads");
        List<Long> dil = n.attrInts("dilations");
        String autoPad = n.attrString("auto_pad", "NOTSET");
        long[] s = new long[x.length];
        s[0] = x[0];
        s[1] = channels;
        for (int i = 0; i < sp; i++) {
            long in = x[i + 2];
            long st = strides.isEmpty() ? 1 : strides.get(i);
            long dl = dil.isEmpty() ? 1 : dil.get(i);
            long k = (kernel[i] - 1) * dl + 1;
            if (in < 0) {
                s[i + 2] = -1;
            } else if (autoPad.startsWith("SAME")) {
                s[i + 2] = (in + st - 1) / st;
            } else {
                long p = pads.isEmpty() ? 0 : pads.get(i) + pads.get(i + sp);
                boolean ceil = n.attrInt("ceil_mode", 0) == 1;
                long num = in + p - k;
                s[i + 2] = (ceil ? (num + st - 1) / st : num / st) + 1;
            }
        }
        out(n, s, null);
    }

    // ---------------------------------------------------------------- element types

    /**
     * Element type and static dims (-1 where symbolic) of a tensor; dims null where the shape is
     * unknown.
     */
    public record TensorType(int elemType, long[] dims) {
    }

    private static final java.util.Set<String> BOOL_OPS = java.util.Set.of("Equal", "Less", "Greater", "LessOrEqual",
            "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf");
    private static final java.util.Set<String> INT64_OPS = java.util.Set.of("Shape", "Size", "ArgMax", "ArgMin", "NonZero",
            "NonMaxSuppression");

    /**
     * Element type of every tensor of a graph, from declarations where the model has them and by
     * propagation where it does not (TorchScript exports carry no value_info at all). Needs no
     * runtime, so it works on graphs in the middle of a rewrite.
     */
    public static Map<String, Integer> elementTypes(Graph g) {
        Map<String, Integer> t = new HashMap<>();
        for (TensorProto i : g.initializers().values()) {
            t.put(i.getName(), i.getDataType());
        }
        for (ValueInfoProto v : g.inputs()) {
            t.put(v.getName(), Graph.elemType(v));
        }
        for (ValueInfoProto v : g.valueInfo().values()) {
            if (v.getType().hasTensorType() && Graph.elemType(v) != 0) {
                t.put(v.getName(), Graph.elemType(v));
            }
        }
        g.topologicalSort();
        for (Node n : g.nodes()) {
            Integer type = propagatedType(n, t);
            if (type != null) {
                for (int i = 0; i < n.outputs().size(); i++) {
                    String o = n.outputs().get(i);
                    // TopK/ArgMax-like second outputs are indices
                    t.putIfAbsent(o, n.is("TopK") && i == 1 ? TensorData.INT64 : type);
                }
            }
        }
        return t;
    }

    private static Integer propagatedType(Node n, Map<String, Integer> t) {
        String op = n.opType();
        if (BOOL_OPS.contains(op)) {
            return TensorData.BOOL;
        }
        if (INT64_OPS.contains(op)) {
            return TensorData.INT64;
        }
        switch (op) {
            case "Cast":
                return (int) n.attrInt("to", TensorData.FLOAT);
            case "CastLike":
                return t.get(n.input(1));
            case "Constant":
                return n.has("value") ? n.attrTensor("value").getDataType()
                        : n.has("value_int") || n.has("value_ints") ? TensorData.INT64 : TensorData.FLOAT;
            case "ConstantOfShape":
                return n.has("value") ? n.attrTensor("value").getDataType() : TensorData.FLOAT;
            case "QuantizeLinear":
                return n.inputs().size() > 2 && !n.input(2).isEmpty() ? t.get(n.input(2)) : TensorData.UINT8;
            case "DequantizeLinear":
                return t.getOrDefault(n.input(1), TensorData.FLOAT);
            case "Where":
                return t.get(n.input(1));
            case "Gather", "GatherElements", "GatherND", "Slice", "Squeeze", "Unsqueeze", "Reshape", "Expand", "Transpose",
                    "Concat", "Identity", "Flatten", "Tile", "Split", "Pad", "ReduceMax", "ReduceMin", "TopK":
                return t.get(n.input(0));
            default:
                // arithmetic and everything else: the type of the first typed input, float when unknown
                for (String in : n.inputs()) {
                    Integer x = t.get(in);
                    if (x != null) {
                        return x;
                    }
                }
                return TensorData.FLOAT;
        }
    }

    /**
     * Element types and shapes of every node output as ONNX Runtime infers them when loading the
     * model (nothing is run); graph inputs and initializers as declared. A node output ONNX Runtime
     * gives no type for gets the {@link #elementTypes propagated} one, with an unknown shape.
     *
     * @throws IllegalStateException if ONNX Runtime cannot load the model
     */
    public static Map<String, TensorType> runtimeTypes(OnnxModel model) {
        Graph g = model.graph();
        java.util.List<String> all = new java.util.ArrayList<>();
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                if (!o.isEmpty()) {
                    all.add(o);
                }
            }
        }
        Map<String, TensorType> out = new HashMap<>();
        for (ValueInfoProto v : g.inputs()) {
            out.put(v.getName(), new TensorType(Graph.elemType(v), Graph.dims(v)));
        }
        g.initializers().forEach((k, t) -> out.put(k, new TensorType(t.getDataType(), TensorData.dims(t))));
        OnnxModel copy = model.copy();
        // drop declared value infos so ONNX Runtime reports what it inferred, not what was declared
        copy.graph().outputs().clear();
        copy.graph().outputs().addAll(model.withOutputs(all).graph().outputs());
        io.jedge.runtime.backend.SessionOptions so = io.jedge.runtime.backend.SessionOptions.builder().threads(1)
                .optimization(io.jedge.runtime.backend.SessionOptions.Optimization.NONE).build();
        try (io.jedge.runtime.backend.InferenceSession s = new io.jedge.runtime.backend.ort.OrtBackend()
                .open(copy.toBytes(), "type-inference model", so)) {
            for (io.jedge.sdk.bundle.TensorSpec spec : s.outputs()) {
                // ONNX Runtime answers [] both for a scalar and for a shape it could not infer:
                // record it as unknown, never as a rank-0 declaration (ORT then rejects the model)
                long[] dims = spec.shape().isEmpty() ? null : spec.shapeArray();
                out.put(spec.name(), new TensorType(TensorData.typeNumber(spec.dataType()), dims));
            }
        } catch (io.jedge.sdk.JedgeException e) {
            throw new IllegalStateException("ONNX Runtime could not infer tensor types: " + e.getMessage(), e);
        }
        Map<String, Integer> propagated = null;
        for (String o : all) {
            TensorType tt = out.get(o);
            if (tt == null || tt.elemType() == 0) {
                propagated = propagated != null ? propagated : elementTypes(model.copy().graph());
                Integer p = propagated.get(o);
                if (p != null) {
                    out.put(o, new TensorType(p, tt == null ? null : tt.dims()));
                }
            }
        }
        return out;
    }
}
