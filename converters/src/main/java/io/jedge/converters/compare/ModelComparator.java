package io.jedge.converters.compare;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.bench.LatencyBench;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs two ONNX models (or one model on two backends) on the same inputs and compares them. In
 * layer-wise mode every float tensor produced in both graphs under the same name becomes an extra
 * output on copies of the models, so the first tensor where the two part can be named.
 */
public final class ModelComparator {
    private final double threshold;
    private final java.util.regex.Pattern mark;

    /** @param threshold cosine below which a tensor counts as diverged (e.g. 0.999) */
    public ModelComparator(double threshold) {
        this(threshold, null);
    }

    /**
     * @param mark in layer-wise mode, expose only tensors whose names match (null: all). Exposing a
     *             tensor stops a backend from fusing across it, so marking subsets bisects which
     *             fusion changes the numbers.
     */
    public ModelComparator(double threshold, java.util.regex.Pattern mark) {
        this.threshold = threshold;
        this.mark = mark;
    }

    public Comparison compare(Path modelA, SessionFactory a, String nameA, Path modelB, SessionFactory b, String nameB,
            List<Map<String, Tensor>> inputs, boolean layerwise) throws IOException {
        OnnxModel ma = OnnxModel.load(modelA);
        // an engine file is no ONNX model: it is compared on its outputs only
        OnnxModel mb = layerwise ? OnnxModel.load(modelB) : null;
        String out = ma.graph().outputs().get(0).getName();
        List<String> shared = layerwise ? sharedTensors(ma.graph(), mb.graph()) : List.of();
        if (mark != null) {
            shared = shared.stream().filter(t -> mark.matcher(t).find()).toList();
        }
        Map<String, String> producers = new HashMap<>();
        for (Node n : ma.graph().nodes()) {
            n.outputs().forEach(o -> producers.put(o, n.opType() + " " + n.name()));
        }
        Path tmp = Files.createTempDirectory("jedge-compare");
        try {
            Path fa = modelA;
            Path fb = modelB;
            if (layerwise) {
                fa = withOutputs(ma, shared, tmp.resolve("a.onnx"));
                fb = withOutputs(mb, shared, tmp.resolve("b.onnx"));
            }
            Map<String, Stats> stats = new LinkedHashMap<>();
            stats.put(out, new Stats());
            shared.forEach(t -> stats.put(t, new Stats()));
            long agree = 0;
            long rows = 0;
            try (InferenceSession sa = a.open(fa); InferenceSession sb = b.open(fb)) {
                List<Map<String, Tensor>> feeds = inputs.isEmpty() ? List.of(LatencyBench.syntheticInputs(sa.inputs(), 1, 99)) : inputs;
                for (Map<String, Tensor> feed : feeds) {
                    Map<String, Tensor> ra = sa.run(feed);
                    Map<String, Tensor> rb = sb.run(feed);
                    for (Map.Entry<String, Stats> e : stats.entrySet()) {
                        Tensor x = ra.get(e.getKey());
                        Tensor y = rb.get(e.getKey());
                        if (x != null && y != null && x.type() == DataType.FLOAT32 && y.type() == DataType.FLOAT32
                                && x.elementCount() == y.elementCount()) {
                            e.getValue().add(x.floats(), y.floats());
                        }
                    }
                    Tensor x = ra.get(out);
                    Tensor y = rb.get(out);
                    if (x.rank() == 2) {
                        int k = (int) x.dim(1);
                        for (int r = 0; r < x.dim(0); r++) {
                            agree += argmax(x.floats(), r * k, k) == argmax(y.floats(), r * k, k) ? 1 : 0;
                            rows++;
                        }
                    }
                }
                List<Comparison.Diff> layers = new ArrayList<>();
                Comparison.Diff first = null;
                for (String t : shared) {
                    Stats s = stats.get(t);
                    if (s.n == 0) {
                        continue;
                    }
                    Comparison.Diff d = s.diff(t, producers.getOrDefault(t, "?"));
                    layers.add(d);
                    if (first == null && d.cosine() < threshold) {
                        first = d;
                    }
                }
                return new Comparison(nameA, nameB, feeds.size(), stats.get(out).diff(out, producers.getOrDefault(out, "?")),
                        rows > 0 ? (double) agree / rows : null, layers, first);
            }
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Float tensors computed by nodes of both graphs, in A's topological order. */
    static List<String> sharedTensors(Graph a, Graph b) {
        a.topologicalSort();
        Set<String> inB = new java.util.HashSet<>();
        b.nodes().forEach(n -> inB.addAll(n.outputs()));
        Map<String, Integer> types = io.jedge.converters.onnx.ElementTypes.infer(a);
        Set<String> outs = new LinkedHashSet<>();
        for (Node n : a.nodes()) {
            if (n.is("Constant") || n.is("Shape")) {
                continue;
            }
            for (String o : n.outputs()) {
                if (inB.contains(o) && types.getOrDefault(o, TensorData.FLOAT) == TensorData.FLOAT) {
                    outs.add(o);
                }
            }
        }
        a.outputs().forEach(v -> outs.remove(v.getName()));
        return new ArrayList<>(outs);
    }

    private static Path withOutputs(OnnxModel m, List<String> tensors, Path file) {
        OnnxModel c = m.copy();
        Set<String> have = new java.util.HashSet<>();
        c.graph().outputs().forEach(v -> have.add(v.getName()));
        for (String t : tensors) {
            if (have.add(t)) {
                // element type only: intermediate shapes are often unknown to the exporter
                c.graph().outputs().add(ValueInfoProto.newBuilder().setName(t).setType(ai.onnx.proto.OnnxMl.TypeProto.newBuilder()
                        .setTensorType(ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder().setElemType(TensorData.FLOAT))).build());
                c.graph().valueInfo().remove(t);
            }
        }
        c.save(file, false);
        return file;
    }

    private static int argmax(float[] v, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[off + i] > v[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Running sums over samples. */
    private static final class Stats {
        double dot;
        double aa;
        double bb;
        double diff2;
        double maxAbs;
        double maxRef;
        int n;

        void add(float[] x, float[] y) {
            n++;
            for (int i = 0; i < x.length; i++) {
                double d = (double) y[i] - x[i];
                dot += (double) x[i] * y[i];
                aa += (double) x[i] * x[i];
                bb += (double) y[i] * y[i];
                diff2 += d * d;
                maxAbs = Math.max(maxAbs, Math.abs(d));
                maxRef = Math.max(maxRef, Math.abs(x[i]));
            }
        }

        Comparison.Diff diff(String t, String producer) {
            double cos = aa == 0 && bb == 0 ? 1 : dot / Math.sqrt(aa * bb);
            return new Comparison.Diff(t, producer, cos, maxAbs, maxRef == 0 ? maxAbs : maxAbs / maxRef, aa == 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / aa));
        }
    }
}
