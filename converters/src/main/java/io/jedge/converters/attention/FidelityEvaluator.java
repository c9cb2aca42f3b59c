package io.jedge.converters.attention;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.compare.Metrics;
import io.jedge.converters.compare.ModelComparator;
import io.jedge.converters.compare.SessionFactory;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SeededInputs;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Report;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how closely a rewritten model follows its source: both run in ONNX Runtime (CPU) on the
 * same inputs — seeded Gaussian tensors, or tensors the caller gives — and the result is a
 * {@code fidelity} {@link Report}.
 *
 * <p>Whole-model metrics, over all float outputs of every sample: {@code cosine} (mean over
 * samples), {@code cosine_min}, {@code max_abs_error}, {@code max_rel_error} (the max absolute
 * error divided by the reference's largest magnitude, so near-zero entries do not blow it up) and,
 * when the first output is (batch, classes), {@code top1_agreement}. Per layer, the attention
 * results of both models are exposed as extra graph outputs (on copies) and compared the same way;
 * {@code converted} is 1 for rewritten layers.
 *
 * <pre>{@code
 * FidelityEvaluator eval = FidelityEvaluator.builder().samples(8).seed(1).build();
 * Report r = eval.evaluate(original, ElfattSdRewrite.rewrite(original, ElfattSdOptions.defaults()));
 * }</pre>
 *
 * Immutable and thread-safe; every call opens its own in-memory sessions and compares through
 * {@link ModelComparator}, except a selection with a {@link Gate}, whose gate runs every comparison.
 */
public final class FidelityEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(FidelityEvaluator.class);
    /** Probe names; tensor names cannot contain the NUL they start with. */
    private static final String WHOLE = "\0whole";
    private static final String LAYER = "\0layer";
    private static final String MEAN_NOTE = "max_rel_error is max|variant - reference| / max|reference|; cosine is over all float"
            + " outputs of one sample, averaged over samples (cosine_min: the worst sample)";

    private final int samples;
    private final long seed;
    private final int threads;
    private final List<Map<String, Tensor>> inputs;
    private final String inputsDescription;
    private final Gate gate;

    private FidelityEvaluator(Builder b) {
        this.samples = b.samples;
        this.seed = b.seed;
        this.threads = b.threads;
        this.inputs = b.inputs == null ? null : List.copyOf(b.inputs);
        this.inputsDescription = b.inputsDescription;
        this.gate = b.gate;
    }

    /**
     * What a {@link #selectByFidelity selection} holds to the floor's cosine, where the mean output cosine over the inputs
     * is not the figure the caller's other gates read (a denoiser's: the worst timestep's predicted-noise cosine, which its
     * FP16 and INT8 gate read too). The gate runs every comparison of a gated selection itself, on its own inputs: one run
     * of each candidate serves the gate's figure and the candidate's report (whole-model and per-layer figures), so the
     * chosen one is never run again. Called once per candidate with the same reference, one call at a time.
     */
    public interface Gate {
        /**
         * Runs {@code variant} once on the gate's inputs and compares it with {@code reference} on {@code probes} (the
         * selection's whole-model and per-layer probes, first the whole-model one) and on what the gate reads. The tensors
         * the probes name are exposed as extra outputs on copies of the models.
         */
        Measurement measure(OnnxModel reference, OnnxModel variant, List<ModelComparator.Probe> probes);

        /** What its cosine is, for progress lines and reports, e.g. "worst-timestep predicted-noise cosine". */
        String statistic();

        /** The report's note saying what its {@code cosine} is. */
        default String note() {
            return "cosine is the " + statistic() + ", what the fidelity floor reads";
        }
    }

    /**
     * One run of a candidate, as a {@link Gate} measured it.
     *
     * @param comparison every probe the selection asked for
     * @param figures    the gate's own figures for the report: {@code cosine}, the one {@link FidelityFloor#cosine()} is
     *                   compared with, and any others (e.g. the predicted-noise cosine per timestep)
     * @param inputs     what the candidate ran on, for the report
     */
    public record Measurement(ModelComparator.Result comparison, Map<String, Double> figures, String inputs) {
        public Measurement {
            figures = Map.copyOf(figures);
            if (!figures.containsKey("cosine")) {
                throw new IllegalArgumentException("gate figures " + figures.keySet() + ", expected 'cosine' among them");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One tensor pair compared per layer. */
    public record LayerProbe(String layer, String referenceTensor, String variantTensor, boolean converted) {
    }

    /**
     * The outcome of {@link #selectByFidelity}.
     *
     * @param layers      the converted block indices, in the order they were accepted
     * @param aloneCosine the cosine the floor reads (the whole-model mean, or the {@link Gate}'s figure) with each candidate
     *                    converted alone
     * @param report      the fidelity report of the final selection, from the run that measured it; with nothing
     *                    converted, no figures (nothing is run for the unchanged copy), only the notes saying why
     * @param model       the model with exactly {@code layers} converted (the source copy when none)
     */
    public record Selection(List<Integer> layers, Map<Integer, Double> aloneCosine, Report report, OnnxModel model) {
        public Selection {
            layers = List.copyOf(layers);
            aloneCosine = Map.copyOf(aloneCosine);
        }
    }

    /**
     * A rewrite of some attention blocks as the fidelity floor measures it.
     *
     * @param model     the rewritten model
     * @param blocks    the blocks found in the source
     * @param converted per rewritten block index, the tensors to compare
     * @param name      the variant's name in reports, e.g. {@code elfatt-sd[0, 2]}
     * @param notes     what was done to each block
     */
    public record Rewritten(OnnxModel model, List<AttentionBlock> blocks, Map<Integer, LayerProbe> converted, String name,
            List<String> notes) {
        public Rewritten {
            blocks = List.copyOf(blocks);
            converted = Map.copyOf(converted);
            notes = List.copyOf(notes);
        }

        static Rewritten of(ElfattSdRewrite.Result r) {
            Map<Integer, LayerProbe> probes = new LinkedHashMap<>();
            List<String> notes = new ArrayList<>();
            for (ElfattSdRewrite.Converted c : r.converted()) {
                probes.put(c.index(), new LayerProbe(c.layer(), c.originalOutput(), c.rewrittenOutput(), true));
                notes.add(String.format(Locale.ROOT, "%s (block %d): %d agent heads with %d agents, %d local heads in blocks of %d tokens",
                        c.layer(), c.index(), c.agentHeads(), c.agents(), c.localHeads(), c.block()));
            }
            return new Rewritten(r.model(), r.blocks(), probes, "elfatt-sd" + r.convertedLayers(), notes);
        }

        static Rewritten of(TomeRewrite.Result r, String kind) {
            Map<Integer, LayerProbe> probes = new LinkedHashMap<>();
            List<String> notes = new ArrayList<>();
            for (TomeRewrite.Merged c : r.merged()) {
                probes.put(c.index(), new LayerProbe(c.layer(), c.originalOutput(), c.rewrittenOutput(), true));
                notes.add(String.format(Locale.ROOT, "%s (block %d): %d of %d tokens merged into %d destinations before attention",
                        c.layer(), c.index(), c.merged(), c.tokens(), c.destinations()));
            }
            return new Rewritten(r.model(), r.blocks(), probes, kind + r.merged().stream().map(TomeRewrite.Merged::index).toList(), notes);
        }
    }

    /** Compares a rewrite with its source; every block that still exists in both is a layer. */
    public Report evaluate(OnnxModel original, ElfattSdRewrite.Result rewrite) {
        return evaluate(original, Rewritten.of(rewrite));
    }

    /** Compares a rewrite with its source; every block that still exists in both is a layer. */
    public Report evaluate(OnnxModel original, Rewritten rewrite) {
        return compare(original, rewrite.model(), layers(rewrite), rewrite.name(), "original", rewrite.notes());
    }

    /** The tensors compared per layer: each rewritten block's result, and every other block that still exists in both. */
    private static List<LayerProbe> layers(Rewritten rewrite) {
        List<LayerProbe> probes = new ArrayList<>();
        java.util.Set<String> produced = new java.util.HashSet<>();
        rewrite.model().graph().nodes().forEach(n -> produced.addAll(n.outputs()));
        for (AttentionBlock a : rewrite.blocks()) {
            LayerProbe c = rewrite.converted().get(a.index());
            if (c != null) {
                probes.add(c);
            } else if (!a.output().isEmpty() && produced.contains(a.output())) {
                probes.add(new LayerProbe(a.layer(), a.output(), a.output(), false));
            }
        }
        return probes;
    }

    /** Compares two models with the same inputs and outputs; {@code layers} may be empty. */
    public Report compare(OnnxModel reference, OnnxModel variant, List<LayerProbe> layers, String variantId,
            String referenceId, List<String> extraNotes) {
        List<ModelComparator.Probe> probes = probes(reference, layers);
        OnnxModel ref = reference.withOutputs(layers.stream().map(LayerProbe::referenceTensor).toList());
        OnnxModel var = variant.withOutputs(layers.stream().map(LayerProbe::variantTensor).toList());
        SessionOptions so = SessionOptions.builder().threads(threads).build();
        try (InferenceSession rs = SessionFactory.open(ref, referenceId + " model", so);
                InferenceSession vs = SessionFactory.open(var, variantId + " model", so)) {
            List<Map<String, Tensor>> feeds = inputs != null ? inputs : SeededInputs.feeds(rs.inputs(), samples, 1, seed);
            ModelComparator.Result result = ModelComparator.run(rs, vs, feeds, probes);
            String what = inputs != null ? (inputsDescription != null ? inputsDescription : feeds.size() + " given inputs")
                    : feeds.size() + " seeded inputs (seed " + seed + ", batch 1)";
            List<String> notes = new ArrayList<>(extraNotes);
            notes.add(MEAN_NOTE);
            return report(result, layers, variantId, referenceId, what, notes);
        }
    }

    /** The whole-model probe (every output of {@code reference}), then one per layer. */
    private static List<ModelComparator.Probe> probes(OnnxModel reference, List<LayerProbe> layers) {
        List<String> outputs = reference.graph().outputs().stream().map(ValueInfoProto::getName).toList();
        List<ModelComparator.Probe> probes = new ArrayList<>();
        probes.add(new ModelComparator.Probe(WHOLE, outputs, outputs, ModelComparator.Top1.IF_CLASSIFIER, false,
                UnaryOperator.identity()));
        for (int i = 0; i < layers.size(); i++) {
            probes.add(ModelComparator.Probe.of(LAYER + i, layers.get(i).referenceTensor(), layers.get(i).variantTensor()));
        }
        return probes;
    }

    /** A fidelity report of a comparison that ran {@link #probes}. */
    private static Report report(ModelComparator.Result result, List<LayerProbe> layers, String variantId, String referenceId,
            String inputs, List<String> notes) {
        Metrics whole = result.get(WHOLE);
        Map<String, Double> metrics = metrics(whole);
        whole.top1Agreement().ifPresent(t -> metrics.put("top1Agreement", t));
        List<Report.LayerMetric> layerMetrics = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Double> m = metrics(result.get(LAYER + i));
            m.put("converted", layers.get(i).converted() ? 1.0 : 0.0);
            layerMetrics.add(new Report.LayerMetric(layers.get(i).layer(), m));
        }
        LOG.debug("fidelity {} vs {}: {}", variantId, referenceId, metrics);
        return new Report("fidelity", variantId, referenceId, inputs, metrics, layerMetrics, notes);
    }

    /** The report's names for a fidelity comparison: cosine per sample, averaged and at its worst. */
    private static Map<String, Double> metrics(Metrics m) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("cosine", m.sampleCosineMean());
        out.put("cosineMin", m.sampleCosineMin());
        out.put("maxAbsError", m.maxAbsError());
        out.put("maxRelError", m.maxRelError());
        return out;
    }

    /**
     * The fidelity-floor selection: measures each candidate block converted alone, then converts
     * blocks greedily from the least damaging on, keeping each only while the whole model still
     * meets {@code floor}, read as the mean output cosine or, with a {@link Builder#gate gate}, its
     * figure. Candidates are {@code options.layers()}, or every supported block when that is empty;
     * the other options apply to every block. Says what each step cost through {@code progress}.
     */
    public Selection selectByFidelity(OnnxModel original, ElfattSdOptions options, FidelityFloor floor,
            java.util.function.Consumer<String> progress) {
        List<AttentionBlock> blocks = AttentionFinder.find(original.copy());
        List<Integer> candidates = ElfattSdRewrite.choose(blocks, options.layers()).stream().map(AttentionBlock::index).toList();
        return selectByFidelity(original, blocks, candidates,
                layers -> Rewritten.of(ElfattSdRewrite.rewrite(original, options.toBuilder().layers(layers).build())), floor, progress);
    }

    /**
     * The same selection for ToMe token merging ({@link TomeRewrite}): blocks merge tokens greedily
     * while the whole model meets {@code floor}. With {@code elfattSd}, the attention over the merged
     * tokens is ELFATT-SD's (the {@code elfatt-sd+tome} form); null keeps softmax.
     */
    public Selection selectByFidelity(OnnxModel original, TomeOptions tome, ElfattSdOptions elfattSd, FidelityFloor floor,
            java.util.function.Consumer<String> progress) {
        List<AttentionBlock> blocks = AttentionFinder.find(original.copy());
        List<Integer> candidates = TomeRewrite.choose(blocks, tome).stream().map(AttentionBlock::index).toList();
        String kind = elfattSd == null ? "tome" : "elfatt-sd+tome";
        return selectByFidelity(original, blocks, candidates,
                layers -> Rewritten.of(TomeRewrite.rewrite(original, tome.withLayers(layers), elfattSd), kind), floor, progress);
    }

    private Selection selectByFidelity(OnnxModel original, List<AttentionBlock> blocks, List<Integer> candidates,
            java.util.function.Function<List<Integer>, Rewritten> rewrite, FidelityFloor floor,
            java.util.function.Consumer<String> progress) {
        Map<Integer, Double> alone = new LinkedHashMap<>();
        Map<Integer, Measured> aloneMeasured = new LinkedHashMap<>();
        for (int c : candidates) {
            Measured m = measure(original, rewrite.apply(List.of(c)));
            aloneMeasured.put(c, m);
            alone.put(c, m.metrics().get("cosine"));
            progress.accept(String.format(Locale.ROOT, "  layer %d (%s) alone: %s%s", c, blocks.get(c).layer(),
                    describe(m.metrics()), floor.passes(m.metrics()) ? "" : " - below the floor"));
        }
        List<Integer> order = new ArrayList<>(candidates);
        order.sort(Comparator.comparingDouble((Integer c) -> -score(aloneMeasured.get(c).metrics())).thenComparingInt(c -> c));
        List<Integer> chosen = new ArrayList<>();
        Measured best = null;
        Rewritten bestRewrite = null;
        for (int c : order) {
            if (!floor.passes(aloneMeasured.get(c).metrics())) {
                continue; // alone it already breaks the floor; adding layers only compounds the error
            }
            List<Integer> trial = new ArrayList<>(chosen);
            trial.add(c);
            Rewritten r = rewrite.apply(trial);
            // the first layer alone was measured above; only its (cheap) rewrite is redone, not the runs
            Measured m = trial.size() == 1 ? aloneMeasured.get(c) : measure(original, r);
            boolean ok = floor.passes(m.metrics());
            if (trial.size() > 1) {
                progress.accept(String.format(Locale.ROOT, "  layers %s together: %s%s", trial, describe(m.metrics()),
                        ok ? "" : " - below the floor, layer " + c + " left out"));
            }
            if (ok) {
                chosen = trial;
                best = m;
                bestRewrite = r;
            }
        }
        OnnxModel bestModel;
        Report rep;
        if (best == null) {
            // nothing to report on: no comparison is run for an unchanged copy
            bestModel = original.copy();
            rep = new Report("fidelity", "original", "original", "none (nothing converted)", Map.of(), List.of(),
                    List.of("no block keeps " + floorText(floor) + "; nothing converted"));
        } else {
            bestModel = bestRewrite.model();
            rep = best.report(); // the run that chose it: every candidate is measured once
        }
        List<String> notes = new ArrayList<>(rep.notes());
        notes.add(String.format(Locale.ROOT, "fidelity floor %s: converted %s of candidates %s (alone %s %s)", floorText(floor),
                chosen, candidates, gate == null ? "cosine" : gate.statistic(), alone));
        Report report = new Report(rep.kind(), rep.variant(), rep.reference(), rep.inputs(), rep.metrics(), rep.layers(), notes);
        return new Selection(chosen, alone, report, bestModel);
    }

    /**
     * A candidate as the floor reads it ({@code metrics}: with a gate, its figure alone, so that the floor reads nothing
     * else) and its full report from the same run.
     */
    private record Measured(Map<String, Double> metrics, Report report) {
    }

    private Measured measure(OnnxModel original, Rewritten r) {
        if (gate == null) {
            Report rep = evaluate(original, r);
            return new Measured(rep.metrics(), rep);
        }
        List<LayerProbe> layers = layers(r);
        Measurement m = gate.measure(original, r.model(), probes(original, layers));
        Report rep = gated(report(m.comparison(), layers, r.name(), "original", m.inputs(), r.notes()), m.figures());
        return new Measured(Map.of("cosine", m.figures().get("cosine")), rep);
    }

    /**
     * {@code r} with the gate's figures: its {@code cosine} is the gate's, the mean output cosines move to
     * {@code outputCosine} and {@code outputCosineMin}, and one note says which statistic {@code cosine} is.
     */
    private Report gated(Report r, Map<String, Double> figures) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("cosine", figures.get("cosine"));
        r.metrics().forEach((k, v) -> {
            if (k.equals("cosine") || k.equals("cosineMin")) {
                m.put("output" + Character.toUpperCase(k.charAt(0)) + k.substring(1), v);
            } else {
                m.put(k, v);
            }
        });
        figures.forEach(m::putIfAbsent);
        List<String> notes = new ArrayList<>(r.notes());
        notes.add(gate.note());
        notes.add("outputCosine is over all float outputs of one sample, averaged over samples (outputCosineMin: the worst"
                + " sample); max_rel_error is max|variant - reference| / max|reference|");
        return new Report(r.kind(), r.variant(), r.reference(), r.inputs(), m, r.layers(), notes);
    }

    private String describe(Map<String, Double> metrics) {
        return gate == null ? FidelityFloor.describe(metrics)
                : String.format(Locale.ROOT, "%s %.5f", gate.statistic(), metrics.getOrDefault("cosine", Double.NaN));
    }

    private String floorText(FidelityFloor floor) {
        return gate == null ? floor.toString() : String.format(Locale.ROOT, "%s >= %.4f", gate.statistic(), floor.cosine());
    }

    /** Orders candidates: agreement first (what a classifier's user sees), then cosine. */
    private static double score(Map<String, Double> m) {
        return m.getOrDefault("top1Agreement", 1.0) * 10 + m.getOrDefault("cosine", -1.0);
    }

    /** Builder for {@link FidelityEvaluator}; validated in {@link #build()}. */
    public static final class Builder {
        private int samples = 8;
        private long seed = 42;
        private int threads = 2;
        private List<Map<String, Tensor>> inputs;
        private String inputsDescription;
        private Gate gate;

        /** Seeded inputs to generate (default 8); ignored when {@link #inputs} are given. */
        public Builder samples(int samples) {
            this.samples = samples;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** ONNX Runtime intra-op threads (default 2; 0 lets it choose). */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Inputs to use instead of seeded ones (e.g. preprocessed user images), one map per run. */
        public Builder inputs(List<Map<String, Tensor>> inputs) {
            this.inputs = inputs;
            this.inputsDescription = null; // a description belongs to the inputs it came with
            return this;
        }

        /**
         * As {@link #inputs(List)}, with what they are for the report ("25 of the 128 samples from
         * calib.npy"): the maps are batches, so their count says nothing of the samples.
         */
        public Builder inputs(List<Map<String, Tensor>> inputs, String description) {
            inputs(inputs);
            this.inputsDescription = description;
            return this;
        }

        /**
         * The figure the selection holds to the floor's cosine instead of the mean output cosine (null: that mean); the
         * chosen variant's report then carries it as {@code cosine}, the mean as {@code outputCosine}. A gated selection
         * runs on the gate's inputs ({@link #evaluate} and {@link #compare} still run on this builder's).
         */
        public Builder gate(Gate gate) {
            this.gate = gate;
            return this;
        }

        public FidelityEvaluator build() {
            if (inputs == null && samples < 1) {
                throw new IllegalArgumentException("samples: " + samples + ", expected 1 or more");
            }
            if (inputs != null && inputs.isEmpty()) {
                throw new IllegalArgumentException("inputs: empty list, expected at least one input map (or none, for seeded inputs)");
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads: " + threads + ", expected 0 (automatic) or more");
            }
            return new FidelityEvaluator(this);
        }
    }
}
