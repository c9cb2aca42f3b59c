package io.jedge.converters.precision;

import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Naming of weighted layers, shared by the INT8 plan, exclusion lists and accuracy reports. */
final class Layers {
    static final Set<String> WEIGHTED_OPS = Set.of("MatMul", "Gemm", "Conv", "ConvTranspose");

    private Layers() {
    }

    /**
     * A layer's name: its weight's name without {@code .weight} (timm/diffusers names such as
     * {@code blocks.0.attn.qkv}), or the node name when the weight has an exporter-made name.
     */
    static String layerName(Node n, String weight) {
        if (weight != null && !weight.isEmpty() && !weight.startsWith("onnx::") && weight.contains(".")) {
            return weight.endsWith(".weight") ? weight.substring(0, weight.length() - ".weight".length()) : weight;
        }
        return n.name();
    }

    /** Gives every unnamed node a unique name, so passes can find nodes again in a copy. */
    static void nameNodes(Graph g) {
        Set<String> seen = new HashSet<>();
        for (Node n : g.nodes()) {
            if (n.name() == null || n.name().isEmpty() || !seen.add(n.name())) {
                n.setName(g.uniqueName(n.opType() + "_" + (n.outputs().isEmpty() ? "node" : n.output(0))));
                seen.add(n.name());
            }
        }
    }

    /**
     * Probes for per-layer SQNR from the FP32 model: every MatMul/Gemm/Conv with a constant weight,
     * in graph order. The tensor names exist unchanged in the FP16 and INT8 variants.
     */
    static List<AccuracyEvaluator.LayerProbe> weightedProbes(OnnxModel m) {
        Graph g = m.graph();
        List<AccuracyEvaluator.LayerProbe> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (WEIGHTED_OPS.contains(n.opType()) && n.inputs().size() >= 2) {
                String w = n.input(1);
                if (g.constant(w).isPresent()) {
                    out.add(new AccuracyEvaluator.LayerProbe(layerName(n, w), n.output(0), n.input(0)));
                }
            }
        }
        return out;
    }
}
