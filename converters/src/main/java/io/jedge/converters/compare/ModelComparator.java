package io.jedge.converters.compare;

import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.converters.onnx.Shapes;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SeededInputs;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The one comparator: runs a reference and a candidate {@link InferenceSession} on the same inputs
 * and measures chosen tensors of the two with {@link Metrics}. {@code jedge compare}, the
 * attention fidelity floor, the FP16/INT8 accuracy gate, the diffusion reports and the TensorRT
 * proof all compare through {@link #run}.
 *
 * <p>In layer-wise mode ({@link #compare}) every float tensor produced in both graphs under the
 * same name becomes an extra output on copies of the models, so the first tensor where the two
 * part can be named.
 */
public final class ModelComparator {
    private final double threshold;
    private final Pattern mark;

    /** @param threshold cosine below which a tensor counts as diverged (e.g. 0.999) */
    public ModelComparator(double threshold) {
        this(threshold, null);
    }

    /**
     * @param mark in layer-wise mode, expose only tensors whose names match (null: all). Exposing a
     *             tensor stops a backend from fusing across it, so marking subsets bisects which
     *             fusion changes the numbers.
     */
    public ModelComparator(double threshold, Pattern mark) {
        this.threshold = threshold;
        this.mark = mark;
    }

    /** When a probe also counts top-1 agreement, over the last axis of its first tensor. */
    public enum Top1 {
        NONE,
        /** when the tensor is [N, classes] with two classes or more */
        IF_CLASSIFIER,
        /** always, over the last axis */
        LAST_AXIS
    }

    /**
     * What to compare in each run: the float tensors named on each side, concatenated per sample
     * (non-float tensors are skipped), seen through {@code view} (e.g. a slice).
     *
     * @param optional skip tensors one side lacks or whose sizes differ (layer-wise scans);
     *                 otherwise they are an error
     */
    public record Probe(String name, List<String> reference, List<String> candidate, Top1 top1, boolean optional,
            UnaryOperator<Tensor> view) {
        public Probe {
            reference = List.copyOf(reference);
            candidate = List.copyOf(candidate);
            if (reference.isEmpty() || reference.size() != candidate.size()) {
                throw new IllegalArgumentException("probe '" + name + "': " + reference.size() + " reference and "
                        + candidate.size() + " candidate tensors, expected the same number, at least one");
            }
        }

        /** The same tensor on both sides. */
        public static Probe of(String tensor) {
            return new Probe(tensor, List.of(tensor), List.of(tensor), Top1.NONE, false, UnaryOperator.identity());
        }

        /** A tensor of the reference against another of the candidate (a rewritten layer's output). */
        public static Probe of(String name, String reference, String candidate) {
            return new Probe(name, List.of(reference), List.of(candidate), Top1.NONE, false, UnaryOperator.identity());
        }

        public Probe withTop1(Top1 t) {
            return new Probe(name, reference, candidate, t, optional, view);
        }

        public Probe asOptional() {
            return new Probe(name, reference, candidate, top1, true, view);
        }

        public Probe withView(UnaryOperator<Tensor> v) {
            return new Probe(name, reference, candidate, top1, optional, v);
        }
    }

    /**
     * Metrics per probe, over all samples and per sample (in feed order). A probe that found
     * nothing to compare (only optional or non-float tensors) is absent.
     */
    public record Result(int samples, Map<String, Metrics> metrics, Map<String, List<Metrics>> perSample) {
        public Metrics get(String probe) {
            Metrics m = metrics.get(probe);
            if (m == null) {
                throw new IllegalStateException("probe '" + probe + "' compared no float tensor; compared: " + metrics.keySet());
            }
            return m;
        }
    }

    /**
     * Runs both sessions on every feed and compares each probe. Checks the thread's interrupt flag
     * between feeds.
     *
     * @throws CancellationException if the thread is interrupted (the flag is kept)
     */
    public static Result run(InferenceSession reference, InferenceSession candidate, List<Map<String, Tensor>> feeds,
            List<Probe> probes) {
        Set<String> refNames = new LinkedHashSet<>();
        Set<String> candNames = new LinkedHashSet<>();
        probes.forEach(p -> {
            refNames.addAll(p.reference());
            candNames.addAll(p.candidate());
        });
        Set<String> refOut = outputsAmong(reference, refNames);
        Set<String> candOut = outputsAmong(candidate, candNames);
        Map<String, MetricsAccumulator> total = new LinkedHashMap<>();
        Map<String, List<Metrics>> perSample = new LinkedHashMap<>();
        for (Map<String, Tensor> feed : feeds) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("comparison of " + reference.backendName() + " and " + candidate.backendName()
                        + " interrupted");
            }
            Map<String, Tensor> r = reference.run(feed, refOut);
            Map<String, Tensor> c = candidate.run(feed, candOut);
            for (Probe p : probes) {
                MetricsAccumulator one = new MetricsAccumulator();
                // the sample's views and concatenation are made once, for the per-sample and the running figures
                MetricsAccumulator running = total.getOrDefault(p.name(), new MetricsAccumulator());
                if (add(p, r, c, one, running)) {
                    total.putIfAbsent(p.name(), running); // a probe with nothing to compare gets no figures
                    perSample.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(one.result());
                }
            }
        }
        Map<String, Metrics> metrics = new LinkedHashMap<>();
        total.forEach((k, v) -> metrics.put(k, v.result()));
        return new Result(feeds.size(), metrics, perSample);
    }

    /** The outputs to ask a session for: the wanted names it has (optional probes may name others). */
    private static Set<String> outputsAmong(InferenceSession s, Set<String> wanted) {
        Set<String> have = new HashSet<>();
        s.outputs().forEach(o -> have.add(o.name()));
        Set<String> out = new LinkedHashSet<>();
        for (String w : wanted) {
            if (have.contains(w)) {
                out.add(w);
            }
        }
        return out.isEmpty() ? have : out;
    }

    /** Adds one sample of {@code p} to each of {@code accs}; false when there was nothing to compare. */
    private static boolean add(Probe p, Map<String, Tensor> r, Map<String, Tensor> c, MetricsAccumulator... accs) {
        List<float[]> xs = new ArrayList<>();
        List<float[]> ys = new ArrayList<>();
        Tensor firstX = null;
        Tensor firstY = null;
        for (int i = 0; i < p.reference().size(); i++) {
            Tensor x = r.get(p.reference().get(i));
            Tensor y = c.get(p.candidate().get(i));
            if (x == null || y == null || (x.type() == DataType.FLOAT32 && y.type() == DataType.FLOAT32
                    && x.elementCount() != y.elementCount())) {
                if (p.optional()) {
                    continue;
                }
                throw new IllegalStateException("probe '" + p.name() + "': reference tensor '" + p.reference().get(i) + "' "
                        + describe(x) + ", candidate tensor '" + p.candidate().get(i) + "' " + describe(y)
                        + "; the models must produce both with the same shape");
            }
            if (x.type() != DataType.FLOAT32 || y.type() != DataType.FLOAT32) {
                continue;
            }
            x = p.view().apply(x);
            y = p.view().apply(y);
            if (i == 0) {
                firstX = x;
                firstY = y;
            }
            xs.add(x.floats());
            ys.add(y.floats());
        }
        if (xs.isEmpty()) {
            return false;
        }
        float[] x = concat(xs);
        float[] y = concat(ys);
        boolean top1 = firstX != null && countsTop1(p.top1(), firstX);
        for (MetricsAccumulator acc : accs) {
            acc.add(x, y);
            if (top1) {
                acc.addTop1(firstX.floats(), firstY.floats(), Math.toIntExact(firstX.dim(firstX.rank() - 1)));
            }
        }
        return true;
    }

    private static boolean countsTop1(Top1 t, Tensor x) {
        return switch (t) {
            case NONE -> false;
            case IF_CLASSIFIER -> x.rank() == 2 && x.dim(1) >= 2;
            case LAST_AXIS -> x.rank() >= 1 && x.dim(x.rank() - 1) >= 1;
        };
    }

    private static String describe(Tensor t) {
        return t == null ? "is missing" : "has shape " + Arrays.toString(t.shape());
    }

    private static float[] concat(List<float[]> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int total = 0;
        for (float[] p : parts) {
            total += p.length;
        }
        float[] out = new float[total];
        int k = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }

    /**
     * Compares model B with model A ({@code jedge compare}): the first output, top-1 agreement for a
     * [N, classes] output and, in layer-wise mode, every shared intermediate float tensor.
     *
     * @param modelB an engine file is no ONNX model: without {@code layerwise} it is compared on its outputs only
     * @param inputs feeds; empty: one synthetic input
     */
    public Comparison compare(Path modelA, SessionFactory a, String nameA, Path modelB, SessionFactory b, String nameB,
            List<Map<String, Tensor>> inputs, boolean layerwise) {
        OnnxModel ma = OnnxModel.load(modelA);
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
        OnnxModel runA = layerwise ? ma.withOutputs(shared) : ma;
        OnnxModel runB = layerwise ? mb.withOutputs(shared) : null;
        List<Probe> probes = new ArrayList<>();
        probes.add(Probe.of(out).withTop1(Top1.IF_CLASSIFIER));
        shared.forEach(t -> probes.add(Probe.of(t).asOptional()));
        try (InferenceSession sa = a.open(modelA, runA, nameA); InferenceSession sb = b.open(modelB, runB, nameB)) {
            List<Map<String, Tensor>> feeds = inputs.isEmpty() ? List.of(SeededInputs.feed(sa.inputs(), 1, 99)) : inputs;
            Result r = run(sa, sb, feeds, probes);
            List<Comparison.Layer> layers = new ArrayList<>();
            Comparison.Layer first = null;
            for (String t : shared) {
                Metrics m = r.metrics().get(t);
                if (m == null) {
                    continue;
                }
                Comparison.Layer l = new Comparison.Layer(t, producers.getOrDefault(t, "?"), m);
                layers.add(l);
                if (first == null && m.cosine() < threshold) {
                    first = l;
                }
            }
            Metrics o = r.get(out);
            return new Comparison(nameA, nameB, feeds.size(), new Comparison.Layer(out, producers.getOrDefault(out, "?"), o),
                    o.top1Agreement().isPresent() ? o.top1Agreement().getAsDouble() : null, layers, first);
        }
    }

    /** Float tensors computed by nodes of both graphs, in A's topological order. */
    static List<String> sharedTensors(Graph a, Graph b) {
        a.topologicalSort();
        Set<String> inB = new HashSet<>();
        b.nodes().forEach(n -> inB.addAll(n.outputs()));
        Map<String, Integer> types = Shapes.elementTypes(a);
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
}
