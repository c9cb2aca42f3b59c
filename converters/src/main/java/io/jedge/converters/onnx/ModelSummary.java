package io.jedge.converters.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What {@code jedge inspect} shows of a model: interface, opsets, op histogram, parameters. */
public record ModelSummary(String producer, long irVersion, Map<String, Long> opsets, List<Io> inputs, List<Io> outputs,
        Map<String, Integer> ops, int nodes, long parameters, long parameterBytes, int externalTensors) {

    /** An input or output: name, element type, shape with symbolic dims kept. */
    public record Io(String name, String type, String shape) {
    }

    public static ModelSummary of(OnnxModel m) {
        Graph g = m.graph();
        Map<String, Integer> ops = new TreeMap<>();
        for (Node n : g.nodes()) {
            ops.merge((n.domain().isEmpty() ? "" : n.domain() + "::") + n.opType(), 1, Integer::sum);
        }
        long params = 0;
        long bytes = 0;
        int external = 0;
        for (TensorProto t : g.initializers().values()) {
            long n = TensorData.elementCount(t);
            params += n;
            bytes += n * TensorData.elementSize(t.getDataType());
            external += TensorData.isExternal(t) ? 1 : 0;
        }
        // Constant nodes hold weights too in TorchScript exports
        for (Node n : g.nodes()) {
            if (n.is("Constant") && n.has("value")) {
                TensorProto t = n.attrTensor("value");
                long e = TensorData.elementCount(t);
                if (e > 1) {
                    params += e;
                    bytes += e * TensorData.elementSize(t.getDataType());
                }
            }
        }
        return new ModelSummary(m.producerName() + (m.producerVersion().isEmpty() ? "" : " " + m.producerVersion()),
                m.irVersion(), Map.copyOf(m.opsets()), io(g.inputs()), io(g.outputs()), ops, g.nodes().size(), params, bytes, external);
    }

    private static List<Io> io(List<ValueInfoProto> vs) {
        List<Io> out = new ArrayList<>();
        for (ValueInfoProto v : vs) {
            out.add(new Io(v.getName(), v.getType().hasTensorType() ? TensorData.typeName(Graph.elemType(v)) : "non-tensor",
                    Graph.dimsText(v)));
        }
        return out;
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("producer:   ").append(producer).append("  (IR ").append(irVersion).append(")\n");
        b.append("opsets:     ");
        opsets.forEach((d, v) -> b.append(d.isEmpty() ? "ai.onnx" : d).append(' ').append(v).append("  "));
        b.append('\n');
        for (Io i : inputs) {
            b.append(String.format("input:      %-20s %-8s %s%n", i.name, i.type, i.shape));
        }
        for (Io o : outputs) {
            b.append(String.format("output:     %-20s %-8s %s%n", o.name, o.type, o.shape));
        }
        b.append(String.format("parameters: %,d (%s)%s%n", parameters, bytesText(parameterBytes),
                externalTensors > 0 ? ", " + externalTensors + " tensors in external data" : ""));
        b.append("nodes:      ").append(nodes).append('\n');
        b.append("ops:        ");
        int col = 0;
        for (Map.Entry<String, Integer> e : ops.entrySet()) {
            String s = e.getKey() + " " + e.getValue();
            if (col > 0 && col + s.length() > 88) {
                b.append("\n            ");
                col = 0;
            }
            b.append(s).append("  ");
            col += s.length() + 2;
        }
        return b.append('\n').toString();
    }

    public static String bytesText(long n) {
        if (n >= 1L << 30) {
            return String.format("%.2f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format("%.1f MiB", n / (double) (1L << 20));
        }
        return String.format("%.1f KiB", n / 1024.0);
    }
}
