package io.jedge.converters.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Element type of every tensor of a graph, from declarations where the model has them and by
 * propagation where it does not (TorchScript exports carry no value_info at all).
 */
public final class ElementTypes {
    private static final Set<String> BOOL_OPS = Set.of("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And",
            "Or", "Xor", "IsNaN", "IsInf");
    private static final Set<String> INT64_OPS = Set.of("Shape", "Size", "ArgMax", "ArgMin", "NonZero", "NonMaxSuppression");

    private ElementTypes() {
    }

    public static Map<String, Integer> infer(Graph g) {
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
            Integer type = typeOf(n, t);
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

    private static Integer typeOf(Node n, Map<String, Integer> t) {
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
}
