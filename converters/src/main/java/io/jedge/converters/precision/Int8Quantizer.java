package io.jedge.converters.precision;

import io.jedge.converters.compare.SessionFactory;
import io.jedge.converters.onnx.Shapes;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.sdk.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INT8 post-training quantization into QDQ form (quantization.md §6): plans which layers to
 * quantize, calibrates activation ranges by running the FP32 model in ONNX Runtime with the
 * needed tensors exposed, and inserts QuantizeLinear/DequantizeLinear as the chosen
 * {@link QuantProfile} expects. Weights become int8 initializers behind a per-channel
 * DequantizeLinear; activations get a per-tensor Q→DQ pair shared by all quantized consumers.
 *
 * <pre>{@code
 * Int8Quantizer q = new Int8Quantizer(Int8Options.builder().profile(QuantProfile.TENSORRT).build());
 * Int8Quantizer.Result r = q.quantize(fp32, CalibrationSet.seeded(specs, 32, 1),
 *         CalibrationSet.seeded(specs, 16, 2), 0.99, true, p -> System.out.println(p));
 * r.model().save(Path.of("model-int8.onnx"));
 * }</pre>
 *
 * Instances are immutable and thread-safe; source models are never modified. Calibration checks
 * the thread's interrupt flag between batches and stops with {@link CalibrationCancelledException}.
 */
public final class Int8Quantizer {
    private static final Logger LOG = LoggerFactory.getLogger(Int8Quantizer.class);

    private final Int8Options o;

    public Int8Quantizer(Int8Options options) {
        this.o = options;
    }

    public Int8Options options() {
        return o;
    }

    /**
     * A weighted op (or an attention BMM) and the plan for it.
     *
     * @param layer layer name (see {@code --exclude-layers})
     * @param node node name in the model
     * @param op op type
     * @param quantized whether Q/DQ is inserted for it
     * @param reason why it is or is not quantized
     */
    public record QuantLayer(String layer, String node, String op, boolean quantized, String reason) {
    }

    /**
     * A quantized model.
     *
     * @param model the QDQ model
     * @param layers every candidate layer with its final decision
     * @param ranges calibrated range of every activation tensor that got a Q/DQ pair
     * @param evaluation accuracy against FP32 on the validation set, when one was given
     * @param autoExcluded layers the validation loop took out, in order
     * @param measurement the caller's measure of {@link #model()}, taken by the validation loop (when a measure was
     *     given): the report reuses it rather than measuring the same model again
     * @param notKeptFloat layers the validation loop's budget still allowed but that it did not keep float, in its rank
     *     order, each with why (kept float alone, the measure is no better than with every layer quantized)
     */
    public record Result(OnnxModel model, List<QuantLayer> layers, Map<String, CalibratedRange> ranges,
            Optional<AccuracyEvaluation> evaluation, List<String> autoExcluded, Optional<Measurement> measurement,
            Map<String, String> notKeptFloat) {
        public Result {
            layers = List.copyOf(layers);
            ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
            autoExcluded = List.copyOf(autoExcluded);
            notKeptFloat = Collections.unmodifiableMap(new LinkedHashMap<>(notKeptFloat));
        }

        public long quantizedCount() {
            return layers.stream().filter(QuantLayer::quantized).count();
        }
    }

    /**
     * What a caller's measure reads of one QDQ model: the figure the validation loop holds to {@code minCosine} and
     * ranks layers by, and the metrics measured with it in the same run (a denoiser's per-timestep cosines), so a
     * report on the loop's final model needs no run of its own.
     *
     * @param cosine the figure; NaN counts as the worst
     * @param metrics everything else measured in the same run, in the caller's order
     */
    public record Measurement(double cosine, Map<String, Double> metrics) {
        public Measurement {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }

        /** Whether this figure is better than {@code other}'s, NaN being the worst of all. */
        boolean betterThan(Measurement other) {
            return Double.isNaN(other.cosine) ? !Double.isNaN(cosine) : cosine > other.cosine;
        }
    }

    /** Candidate layer: which inputs are weights and which are activations. */
    private record Candidate(String layer, String node, String op, int weightInput, int axis, List<Integer> activationInputs,
            boolean outputQdq, int biasInput, String exclusion) {
        boolean planned() {
            return exclusion == null;
        }
    }

    /** Calibration statistics, reusable for several Q/DQ placements (the validation loop). */
    public static final class Calibration {
        private final OnnxModel model;
        private final List<Candidate> candidates;
        private final Map<String, CalibratedRange> ranges;
        private final String inputs;

        private Calibration(OnnxModel model, List<Candidate> candidates, Map<String, CalibratedRange> ranges, String inputs) {
            this.model = model;
            this.candidates = candidates;
            this.ranges = ranges;
            this.inputs = inputs;
        }

        /** Calibrated range per activation tensor. */
        public Map<String, CalibratedRange> ranges() {
            return Collections.unmodifiableMap(ranges);
        }

        /** What the calibration inputs were. */
        public String inputs() {
            return inputs;
        }
    }

    /** The layer plan alone (no calibration): which layers would be quantized and why. */
    public List<QuantLayer> plan(OnnxModel fp32) {
        OnnxModel m = prepare(fp32);
        return describe(candidates(m), Set.of(), Map.of());
    }

    /**
     * Runs the FP32 model on {@code data} with the activation inputs of every planned layer exposed
     * and calibrates their ranges.
     *
     * @param progress called after each batch; may be null
     * @throws CalibrationCancelledException if the thread is interrupted
     */
    public Calibration calibrate(OnnxModel fp32, CalibrationSet data, Consumer<CalibrationProgress> progress) {
        OnnxModel m = prepare(fp32);
        List<Candidate> cands = candidates(m);
        Graph g = m.graph();
        Map<String, Node> byName = nodesByName(g);
        Set<String> tensors = new LinkedHashSet<>();
        for (Candidate c : cands) {
            if (!c.planned()) {
                continue;
            }
            Node n = byName.get(c.node());
            c.activationInputs().forEach(i -> tensors.add(n.input(i)));
            if (c.outputQdq()) {
                tensors.add(n.output(0));
            }
        }
        Map<String, Histogram> hist = new LinkedHashMap<>();
        tensors.forEach(t -> hist.put(t, new Histogram()));
        long start = System.nanoTime();
        int done = 0;
        if (!tensors.isEmpty()) {
            List<String> produced = tensors.stream().filter(t -> !g.isGraphInput(t)).toList();
            // calibration must see the graph's own tensors: fusions would rename or remove them
            SessionOptions so = SessionOptions.builder().optimization(SessionOptions.Optimization.NONE).build();
            try (InferenceSession r = SessionFactory.open(m.withOutputs(produced), "calibration model", so)) {
                for (int b = 0; b < data.batches(); b++) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new CalibrationCancelledException(done, data.samples());
                    }
                    Map<String, Tensor> feeds = data.batch(b);
                    Map<String, Tensor> out = new LinkedHashMap<>(r.run(feeds, new java.util.LinkedHashSet<>(produced)));
                    for (String t : tensors) {
                        Tensor v = out.containsKey(t) ? out.get(t) : feeds.get(t);
                        hist.get(t).add(v.floats());
                    }
                    done += data.batchSamples(b);
                    if (progress != null) {
                        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                        Duration left = elapsed.multipliedBy(data.samples() - done).dividedBy(Math.max(1, done));
                        progress.accept(new CalibrationProgress(done, data.samples(), elapsed, left));
                    }
                }
            }
        }
        Calibrator calibrator = Calibrator.of(o.method());
        Map<String, CalibratedRange> ranges = new LinkedHashMap<>();
        for (Map.Entry<String, Histogram> e : hist.entrySet()) {
            Histogram h = e.getValue();
            if (h.isEmpty()) {
                throw new IllegalStateException("activation '" + e.getKey() + "' produced no finite value on "
                        + data.description() + " (" + h.nonFiniteCount() + " NaN/infinite); the FP32 model is broken on these inputs");
            }
            boolean probabilities = g.producer(e.getKey()).map(p -> p.is("Softmax")).orElse(false);
            // softmax outputs: the full [0, max] range (§6.5), never a clipped threshold
            ranges.put(e.getKey(), probabilities ? new Calibrator.MinMax().calibrate(h) : calibrator.calibrate(h));
        }
        return new Calibration(m, cands, ranges, data.description());
    }

    /**
     * Builds the QDQ model from a calibration, leaving {@code excluded} layers (names or node names,
     * globs allowed) float on top of the plan's exclusions.
     */
    public OnnxModel apply(Calibration c, Set<String> excluded) {
        OnnxModel m = c.model.copy();
        Graph g = m.graph();
        Map<String, Node> byName = nodesByName(g);
        Inserter ins = new Inserter(g, c.ranges);
        List<String> ex = new ArrayList<>(excluded);
        for (Candidate cand : c.candidates) {
            if (!cand.planned() || Globs.any(ex, cand.layer(), cand.node())) {
                continue;
            }
            Node n = byName.get(cand.node());
            float actScale = 1f;
            for (int i : cand.activationInputs()) {
                String t = n.input(i);
                n.inputs().set(i, ins.activation(t));
                actScale = ins.params(t).scale();
            }
            if (cand.weightInput() >= 0) {
                QuantizedWeights qw = ins.weightQuantized(n.input(cand.weightInput()), cand.axis());
                n.inputs().set(cand.weightInput(), ins.weight(n.input(cand.weightInput()), cand.axis()));
                if (cand.biasInput() >= 0 && !n.input(cand.biasInput()).isEmpty()) {
                    n.inputs().set(cand.biasInput(), ins.int32Bias(n.input(cand.biasInput()), actScale, qw.scales()));
                }
            }
            if (cand.outputQdq()) {
                String y = n.output(0);
                String pre = g.uniqueName(y + "_float");
                n.outputs().set(0, pre);
                ins.outputPair(pre, y);
            }
        }
        g.removeDeadNodes(); // drops the float weights now behind int8 initializers
        m.metadata().put("jedge.precision", "int8");
        m.metadata().put("jedge.int8.profile", o.profile().cliName());
        m.metadata().put("jedge.int8.calibrator", o.method().cliName());
        m.metadata().put("jedge.int8.calibration", c.inputs);
        return m;
    }

    /**
     * Calibrates, quantizes and — when {@code validation} is given — checks the result against
     * FP32, excluding the layers that lose the most SQNR (up to {@link Int8Options#maxAutoExclude()})
     * until the output cosine reaches {@code minCosine}. The caller decides what to do if it never
     * does ({@link Result#evaluation()}).
     *
     * @param classifier compare top-1 of the first output
     */
    public Result quantize(OnnxModel fp32, CalibrationSet calibration, CalibrationSet validation, double minCosine,
            boolean classifier, Consumer<CalibrationProgress> progress) {
        return quantize(fp32, calibration, validation, minCosine, classifier, progress, null);
    }

    /**
     * As {@link #quantize(OnnxModel, CalibrationSet, CalibrationSet, double, boolean, Consumer)}, with the loop
     * reaching {@code minCosine} on the caller's own measure of each QDQ model (a denoiser's worst predicted-noise
     * cosine over timesteps, which a mean over the validation set hides). Layers are then ranked by that measure too:
     * each quantized layer kept float alone, measured once, the best first; on the trained digits DiT the layer that
     * mattered (block 0's qkv: 0.99608 → 0.99926) ranked twelfth by SQNR on the validation set. The returned model is
     * never measured twice: {@link Result#measurement()} is the loop's measure of it.
     *
     * @param measure the measure the loop reads of a QDQ model; null: the output cosine on {@code validation}, and
     *     layers ranked by their SQNR there
     */
    public Result quantize(OnnxModel fp32, CalibrationSet calibration, CalibrationSet validation, double minCosine,
            boolean classifier, Consumer<CalibrationProgress> progress, Function<OnnxModel, Measurement> measure) {
        Calibration c = calibrate(fp32, calibration, progress);
        Set<String> auto = new LinkedHashSet<>();
        // the measured loop builds its own first model, so that no frame keeps one it has moved past (each is a QDQ copy)
        OnnxModel model = validation != null && measure != null ? null : apply(c, auto);
        if (validation == null) {
            return new Result(model, describe(c.candidates, auto, Map.of()), usedRanges(c, auto), Optional.empty(), List.of(),
                    Optional.empty(), Map.of());
        }
        long planned = c.candidates.stream().filter(Candidate::planned).count();
        int budget = o.maxAutoExclude() >= 0 ? o.maxAutoExclude() : (int) Math.max(1, planned / 4);
        Map<String, String> why = new HashMap<>();
        Map<String, String> notKeptFloat = new LinkedHashMap<>();
        AccuracyEvaluation e;
        Optional<Measurement> measured = Optional.empty();
        if (measure != null) {
            Measured last = excludeByMeasure(c, minCosine, budget, measure, auto, why, notKeptFloat);
            model = last.model();
            measured = Optional.of(last.measurement());
            e = AccuracyEvaluator.evaluate(c.model, model, validation, probes(c, auto), classifier);
        } else {
            e = AccuracyEvaluator.evaluate(c.model, model, validation, probes(c, auto), classifier);
            while (!(e.overall().cosine() >= minCosine) && auto.size() < budget) {
                Optional<AccuracyEvaluation.LayerAccuracy> worst = e.worstLayers(Integer.MAX_VALUE).stream()
                        .filter(l -> !auto.contains(l.layer())).findFirst();
                if (worst.isEmpty()) {
                    break;
                }
                AccuracyEvaluation.LayerAccuracy w = worst.get();
                auto.add(w.layer());
                why.put(w.layer(), String.format(java.util.Locale.ROOT,
                        "excluded by the validation loop (cosine %.5f < %s; layer SQNR %.1f dB on its own)",
                        e.overall().cosine(), minCosine, w.localSqnrDb()));
                LOG.info("INT8: cosine {} below {}, excluding layer {} ({} dB on its own)", e.overall().cosine(), minCosine,
                        w.layer(), w.localSqnrDb());
                model = apply(c, auto);
                e = AccuracyEvaluator.evaluate(c.model, model, validation, probes(c, auto), classifier);
            }
        }
        return new Result(model, describe(c.candidates, auto, why), usedRanges(c, auto), Optional.of(e), new ArrayList<>(auto),
                measured, notKeptFloat);
    }

    /** A QDQ model with the caller's measure of it, kept together so that what the loop returns is what it measured. */
    private record Measured(OnnxModel model, Measurement measurement) {
    }

    /**
     * The measure-driven loop: below {@code minCosine}, every quantized layer is kept float alone and measured, then
     * layers are kept float in that order (most gain first) until the measure reaches {@code minCosine} or
     * {@code budget} layers are float. A layer whose measure alone float is no better than the fully quantized model's
     * ({@code full}) is not kept float, nor is any ranked after it: the loop stops there, and
     * {@code notKeptFloat} says which layers the budget still allowed and why. Costs one measure per quantized layer,
     * and only when the first model misses; the first layer kept float is the model it measured alone.
     */
    private Measured excludeByMeasure(Calibration c, double minCosine, int budget,
            Function<OnnxModel, Measurement> measure, Set<String> auto, Map<String, String> why, Map<String, String> notKeptFloat) {
        OnnxModel all = apply(c, auto);
        Measured full = new Measured(all, measure.apply(all));
        all = null;
        if (full.measurement().cosine() >= minCosine || budget == 0) {
            return full;
        }
        Measurement fullFigure = full.measurement();
        LOG.info("INT8: cosine {} below {}; measuring each quantized layer kept float alone for the validation loop"
                + " (a max-auto-exclude of 0 turns it off)", full.measurement().cosine(), minCosine);
        Map<String, Measurement> alone = new LinkedHashMap<>();
        // the top-ranked layer's model: the loop's first step, kept rather than built and measured again
        Measured best = null;
        String bestLayer = null;
        for (Candidate cand : c.candidates) {
            if (cand.planned() && !alone.containsKey(cand.layer())) {
                OnnxModel m = apply(c, Set.of(cand.layer()));
                Measurement a = measure.apply(m);
                alone.put(cand.layer(), a);
                if (best == null || a.betterThan(best.measurement())) {
                    best = new Measured(m, a);
                    bestLayer = cand.layer();
                }
            }
        }
        if (LOG.isDebugEnabled()) {
            Map<String, Double> figures = new LinkedHashMap<>();
            alone.forEach((l, m) -> figures.put(l, m.cosine()));
            LOG.debug("INT8: each of {} layers kept float alone: {}", alone.size(), figures);
        }
        // best first, NaN last; ties keep the model's order
        List<String> order = alone.keySet().stream().sorted(java.util.Comparator.comparingDouble((String l) -> {
            double v = alone.get(l).cosine();
            return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
        }).reversed()).toList();
        // from here only the models that may be returned stay referenced: the loop's models are whole QDQ copies
        Measured current = full;
        full = null;
        for (int i = 0; i < order.size(); i++) {
            double cosine = current.measurement().cosine();
            if (cosine >= minCosine || auto.size() >= budget) {
                break;
            }
            String layer = order.get(i);
            if (!alone.get(layer).betterThan(fullFigure)) {
                // ranked best first: neither this layer nor any after it gains anything float
                for (String l : order.subList(i, Math.min(order.size(), i + budget - auto.size()))) {
                    notKeptFloat.put(l, String.format(java.util.Locale.ROOT, "not kept float by the validation loop, which its budget"
                            + " allowed (cosine %.5f < %s): %.5f with this layer alone float, no better than %.5f with every layer"
                            + " quantized", cosine, minCosine, alone.get(l).cosine(), fullFigure.cosine()));
                }
                LOG.info("INT8: cosine {} below {}; the validation loop stops with {} of {} layers float: kept float alone, {} do"
                        + " no better than every layer quantized ({})", cosine, minCosine, auto.size(), budget,
                        notKeptFloat.keySet(), fullFigure.cosine());
                break;
            }
            auto.add(layer);
            why.put(layer, String.format(java.util.Locale.ROOT, "excluded by the validation loop (cosine %.5f < %s; %.5f with this"
                    + " layer alone float)", cosine, minCosine, alone.get(layer).cosine()));
            if (auto.size() == 1 && layer.equals(bestLayer)) {
                current = best; // this layer alone float: that model, measured already
                best = null;
            } else {
                best = null;
                OnnxModel m = apply(c, auto);
                current = new Measured(m, measure.apply(m));
            }
        }
        return current;
    }

    private List<AccuracyEvaluator.LayerProbe> probes(Calibration c, Set<String> excluded) {
        Map<String, Node> byName = nodesByName(c.model.graph());
        List<AccuracyEvaluator.LayerProbe> out = new ArrayList<>();
        List<String> ex = new ArrayList<>(excluded);
        for (Candidate cand : c.candidates) {
            if (cand.planned() && !Globs.any(ex, cand.layer(), cand.node())) {
                Node n = byName.get(cand.node());
                String in = cand.activationInputs().isEmpty() ? null : n.input(cand.activationInputs().get(0));
                out.add(new AccuracyEvaluator.LayerProbe(cand.layer(), n.output(0), in));
            }
        }
        return out;
    }

    private Map<String, CalibratedRange> usedRanges(Calibration c, Set<String> excluded) {
        Map<String, Node> byName = nodesByName(c.model.graph());
        Map<String, CalibratedRange> out = new LinkedHashMap<>();
        List<String> ex = new ArrayList<>(excluded);
        for (Candidate cand : c.candidates) {
            if (cand.planned() && !Globs.any(ex, cand.layer(), cand.node())) {
                Node n = byName.get(cand.node());
                for (int i : cand.activationInputs()) {
                    out.put(n.input(i), c.ranges.get(n.input(i)));
                }
                if (cand.outputQdq()) {
                    out.put(n.output(0), c.ranges.get(n.output(0)));
                }
            }
        }
        return out;
    }

    private static List<QuantLayer> describe(List<Candidate> cands, Set<String> excluded, Map<String, String> why) {
        List<QuantLayer> out = new ArrayList<>();
        List<String> ex = new ArrayList<>(excluded);
        for (Candidate c : cands) {
            if (!c.planned()) {
                out.add(new QuantLayer(c.layer(), c.node(), c.op(), false, c.exclusion()));
            } else if (Globs.any(ex, c.layer(), c.node())) {
                out.add(new QuantLayer(c.layer(), c.node(), c.op(), false, why.getOrDefault(c.layer(), "excluded")));
            } else {
                out.add(new QuantLayer(c.layer(), c.node(), c.op(), true, "quantized"));
            }
        }
        return out;
    }

    private static OnnxModel prepare(OnnxModel fp32) {
        if (fp32.opset() < 13) {
            throw new IllegalArgumentException("model opset " + fp32.opset()
                    + ": INT8 QDQ with per-channel weights needs opset >= 13; re-export the model with opset 13 or later");
        }
        for (Node n : fp32.graph().nodes()) {
            if (n.is("QuantizeLinear") || n.is("DequantizeLinear")) {
                throw new IllegalArgumentException("model already holds " + n + "; INT8 quantization expects an FP32 model");
            }
        }
        OnnxModel m = fp32.copy();
        Layers.nameNodes(m.graph());
        return m;
    }

    private static Map<String, Node> nodesByName(Graph g) {
        Map<String, Node> out = new HashMap<>();
        for (Node n : g.nodes()) {
            out.put(n.name(), n);
        }
        return out;
    }

    // ---------------------------------------------------------------- planning

    private List<Candidate> candidates(OnnxModel m) {
        Graph g = m.graph();
        Map<String, Shapes.TensorType> types = Shapes.runtimeTypes(m);
        List<Candidate> raw = new ArrayList<>();
        for (Node n : g.nodes()) {
            Candidate c = candidate(g, n, types);
            if (c != null) {
                raw.add(c);
            }
        }
        Set<String> weighted = new HashSet<>();
        raw.forEach(c -> weighted.add(c.node()));
        Set<String> first = edgeLayers(g, types, weighted, true);
        Set<String> last = edgeLayers(g, types, weighted, false);
        List<Candidate> out = new ArrayList<>();
        for (Candidate c : raw) {
            String reason = null;
            if (Globs.any(o.excludeLayers(), c.layer(), c.node())) {
                reason = "excluded by --exclude-layers";
            }
            if (reason == null && o.defaultExclusions() && c.weightInput() >= 0) {
                if (first.contains(c.node())) {
                    reason = "first layer (reads a model input)";
                } else if (last.contains(c.node())) {
                    reason = "last layer (writes a model output)";
                } else if (Globs.any(Int8Options.DEFAULT_EXCLUDED_LAYERS, c.layer(), c.node())) {
                    reason = "default exclusion list (embeddings, input/output projections)";
                }
            }
            if (reason == null) {
                reason = c.exclusion();
            }
            out.add(new Candidate(c.layer(), c.node(), c.op(), c.weightInput(), c.axis(), c.activationInputs(), c.outputQdq(),
                    c.biasInput(), reason));
        }
        return out;
    }

    private Candidate candidate(Graph g, Node n, Map<String, Shapes.TensorType> types) {
        if (!n.domain().isEmpty() || !Layers.WEIGHTED_OPS.contains(n.opType()) || n.inputs().size() < 2) {
            return null;
        }
        String a = n.input(0);
        String w = n.input(1);
        if (!isFloat(types, a) || !isFloat(types, w)) {
            return null;
        }
        boolean constA = g.constant(a).isPresent();
        Optional<TensorProto> wt = g.constant(w);
        if (n.is("MatMul") && wt.isEmpty()) {
            if (constA) {
                return null;
            }
            String reason = o.quantizeAttention() ? null
                    : "activation×activation MatMul (attention); opt in with quantizeAttention";
            return new Candidate(n.name(), n.name(), n.opType(), -1, 0, List.of(0, 1), false, -1, reason);
        }
        if (wt.isEmpty() || constA) {
            return null;
        }
        long[] d = TensorData.dims(wt.get());
        String layer = Layers.layerName(n, w);
        String reason = null;
        int axis;
        int bias = -1;
        boolean outQ = false;
        switch (n.opType()) {
            case "MatMul" -> {
                if (d.length < 2) {
                    return null;
                }
                axis = WeightLayout.MATMUL_B.channelAxis(d.length);
                reason = small(d[d.length - 2], d[d.length - 1]);
            }
            case "Gemm" -> {
                if (d.length != 2 || n.attrInt("transA", 0) != 0) {
                    return null;
                }
                boolean transB = n.attrInt("transB", 0) != 0;
                axis = (transB ? WeightLayout.GEMM_B_TRANSPOSED : WeightLayout.GEMM_B).channelAxis(2);
                reason = transB ? small(d[1], d[0]) : small(d[0], d[1]);
            }
            case "Conv" -> {
                if (d.length < 3) {
                    return null;
                }
                axis = WeightLayout.CONV.channelAxis(d.length);
                long cout = d[0];
                long cin = d[1] * n.attrInt("group", 1);
                if (cout < o.minGemmSize() && cin < o.minGemmSize()) {
                    reason = "small Conv (" + cin + "→" + cout + " channels, below " + o.minGemmSize() + ")";
                }
                if (o.profile() == QuantProfile.ORT_CPU) {
                    outQ = true; // QLinearConv needs the output Q
                    bias = n.inputs().size() > 2 && g.constant(n.input(2)).isPresent() ? 2 : -1;
                }
            }
            default -> { // ConvTranspose
                if (d.length < 3) {
                    return null;
                }
                axis = WeightLayout.CONV_TRANSPOSE.channelAxis(d.length);
                if (o.profile() == QuantProfile.ORT_CPU) {
                    reason = "ConvTranspose has no ONNX Runtime CPU int8 fusion";
                }
            }
        }
        return new Candidate(layer, n.name(), n.opType(), 1, axis, List.of(0), outQ, bias, reason);
    }

    private String small(long k, long n) {
        if (k < o.minGemmSize() || n < o.minGemmSize()) {
            return "small GEMM (K=" + k + ", N=" + n + ", below " + o.minGemmSize() + ")";
        }
        return null;
    }

    private static boolean isFloat(Map<String, Shapes.TensorType> types, String t) {
        Shapes.TensorType tt = types.get(t);
        return tt != null && tt.elemType() == TensorData.FLOAT;
    }

    /**
     * Weighted nodes reached from a graph input (forward) or reaching a graph output (backward)
     * through float tensors without passing another weighted node.
     */
    private static Set<String> edgeLayers(Graph g, Map<String, Shapes.TensorType> types, Set<String> weighted, boolean forward) {
        Graph.Index idx = g.index();
        Set<String> hits = new HashSet<>();
        Set<String> seen = new HashSet<>();
        Deque<String> work = new ArrayDeque<>();
        (forward ? g.inputs() : g.outputs()).forEach(v -> work.add(v.getName()));
        while (!work.isEmpty()) {
            String t = work.pop();
            if (!seen.add(t)) {
                continue;
            }
            List<Node> next = forward ? idx.consumers(t) : idx.producer(t).map(List::of).orElse(List.of());
            for (Node n : next) {
                if (forward && !n.input(0).equals(t) && weighted.contains(n.name())) {
                    continue; // reaching a weight slot is not reading the input
                }
                if (weighted.contains(n.name())) {
                    hits.add(n.name());
                    continue;
                }
                for (String x : forward ? n.outputs() : n.inputs()) {
                    if (isFloat(types, x) && !g.isInitializer(x)) {
                        work.add(x);
                    }
                }
            }
        }
        return hits;
    }

    // ---------------------------------------------------------------- insertion

    /** Adds Q/DQ nodes and quantized initializers, sharing one pair per tensor. */
    private final class Inserter {
        private final Graph g;
        private final Map<String, CalibratedRange> ranges;
        private final Map<String, String> activationDq = new HashMap<>();
        private final Map<String, String> weightDq = new HashMap<>();
        private final Map<String, QuantizedWeights> weights = new HashMap<>();

        Inserter(Graph g, Map<String, CalibratedRange> ranges) {
            this.g = g;
            this.ranges = ranges;
        }

        QuantParams params(String t) {
            CalibratedRange r = ranges.get(t);
            if (r == null) {
                throw new IllegalStateException("activation '" + t + "' was not calibrated");
            }
            if (o.profile() == QuantProfile.TENSORRT) {
                return r.symmetricInt8();
            }
            if (o.activationType() == QuantType.UINT8) {
                return r.asymmetric(QuantType.UINT8, o.reduceRange());
            }
            return QuantParams.ofRange(-r.amax(), r.amax(), QuantType.INT8, true, o.reduceRange());
        }

        /** The DQ output standing for activation {@code t}. */
        String activation(String t) {
            Node p = g.producer(t).orElse(null);
            if (p != null && p.is("DequantizeLinear")) {
                return t; // already quantized (the output pair of a quantized Conv)
            }
            return activationDq.computeIfAbsent(t, k -> {
                String dq = g.uniqueName(t + "_dequantized");
                pair(t, dq, params(t));
                return dq;
            });
        }

        /** Q(pre) → DQ writing {@code out} (an existing name), with the range calibrated for {@code out}. */
        void outputPair(String pre, String out) {
            pair(pre, out, params(out));
        }

        private void pair(String in, String out, QuantParams p) {
            boolean unsigned = p.type() == QuantType.UINT8;
            String scale = g.uniqueName(in + "_scale");
            String zp = g.uniqueName(in + "_zero_point");
            g.addInitializer(TensorData.ofFloats(scale, new long[0], new float[] {p.scale()}));
            g.addInitializer(TensorData.ofBytes(zp, new long[0], new byte[] {(byte) p.zeroPoint()}, unsigned));
            String q = g.uniqueName(in + "_quantized");
            g.add(new Node(g.uniqueName(in + "/QuantizeLinear"), "QuantizeLinear", "", List.of(in, scale, zp), List.of(q)));
            g.add(new Node(g.uniqueName(in + "/DequantizeLinear"), "DequantizeLinear", "", List.of(q, scale, zp), List.of(out)));
            int elem = unsigned ? TensorData.UINT8 : TensorData.INT8;
            g.valueInfo().put(q, untypedShape(q, elem));
            g.valueInfo().put(out, untypedShape(out, TensorData.FLOAT));
        }

        QuantizedWeights weightQuantized(String w, int axis) {
            return weights.computeIfAbsent(w + "\u0000" + axis, k -> {
                TensorProto t = g.constant(w).orElseThrow();
                return QuantizedWeights.symmetricPerChannel(g.floats(t), TensorData.dims(t), axis);
            });
        }

        /** int8 initializer → per-channel DequantizeLinear; returns the DQ output. */
        String weight(String w, int axis) {
            return weightDq.computeIfAbsent(w + "\u0000" + axis, k -> {
                QuantizedWeights qw = weightQuantized(w, axis);
                String q = g.uniqueName(w + "_quantized");
                String scale = g.uniqueName(w + "_scale");
                String zp = g.uniqueName(w + "_zero_point");
                g.addInitializer(TensorData.ofBytes(q, qw.shape(), qw.values(), false));
                g.addInitializer(TensorData.ofFloats(scale, new long[] {qw.channels()}, qw.scales()));
                g.addInitializer(TensorData.ofBytes(zp, new long[] {qw.channels()}, new byte[qw.channels()], false));
                String out = g.uniqueName(w + "_dequantized");
                Node dq = new Node(g.uniqueName(w + "/DequantizeLinear"), "DequantizeLinear", "", List.of(q, scale, zp), List.of(out));
                dq.set("axis", (long) qw.axis());
                g.add(dq);
                g.valueInfo().put(out, untypedShape(out, TensorData.FLOAT));
                return out;
            });
        }

        /** int32 bias with scale s_x·s_w[c] and zero point 0 behind a DequantizeLinear (ORT QLinearConv). */
        String int32Bias(String b, float actScale, float[] weightScales) {
            TensorProto t = g.constant(b).orElseThrow();
            float[] v = g.floats(t);
            if (v.length != weightScales.length) {
                return b;
            }
            float[] scales = new float[v.length];
            ByteBuffer q = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < v.length; c++) {
                scales[c] = actScale * weightScales[c];
                double r = Math.rint(v[c] / (double) scales[c]);
                q.putInt((int) Math.max(Integer.MIN_VALUE + 1L, Math.min(Integer.MAX_VALUE, r)));
            }
            String qn = g.uniqueName(b + "_quantized");
            String sn = g.uniqueName(b + "_scale");
            String zn = g.uniqueName(b + "_zero_point");
            g.addInitializer(TensorProto.newBuilder().setName(qn).setDataType(TensorData.INT32).addDims(v.length)
                    .setRawData(com.google.protobuf.ByteString.copyFrom(q.array())).build());
            g.addInitializer(TensorData.ofFloats(sn, new long[] {v.length}, scales));
            g.addInitializer(TensorProto.newBuilder().setName(zn).setDataType(TensorData.INT32).addDims(v.length)
                    .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[4 * v.length])).build());
            String out = g.uniqueName(b + "_dequantized");
            Node dq = new Node(g.uniqueName(b + "/DequantizeLinear"), "DequantizeLinear", "", List.of(qn, sn, zn), List.of(out));
            dq.set("axis", 0L);
            g.add(dq);
            return out;
        }
    }

    private static ValueInfoProto untypedShape(String name, int elemType) {
        return ValueInfoProto.newBuilder().setName(name).setType(ai.onnx.proto.OnnxMl.TypeProto.newBuilder()
                .setTensorType(ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elemType))).build();
    }
}
