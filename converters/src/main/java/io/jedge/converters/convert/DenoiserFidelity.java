package io.jedge.converters.convert;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.attention.FidelityEvaluator;
import io.jedge.converters.compare.Metrics;
import io.jedge.converters.compare.ModelComparator;
import io.jedge.converters.compare.SessionFactory;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.model.SessionDenoiser;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.diffusion.Denoiser;
import io.jedge.sdk.diffusion.DenoiserKind;
import io.jedge.sdk.diffusion.GaussianNoise;
import io.jedge.sdk.diffusion.GenerationDefaults;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.LatentDecoder;
import io.jedge.sdk.diffusion.LatentDiffusionPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fidelity inputs and comparisons of a diffusion variant (an attention rewrite or a reduced
 * precision): seeded latents at a few training timesteps (999, 500, 100 by default), each batch
 * holding a seeded class row and a null-class row for class-conditional models. A report over
 * these inputs gets, per timestep, the cosine and max relative error of the predicted noise alone
 * (the first C output channels; a learned-sigma model's variance channels are left out), and the
 * difference of the final latents of a short seeded generation run with each model. Decoder
 * variants are compared on the images they make of seeded latents.
 *
 * <p>Every approximate denoiser (an attention rewrite's blocks as they are chosen, FP16, INT8 and its
 * validation loop) is gated on one statistic, the {@value #STATISTIC}: each report's {@code cosine},
 * {@code noiseCosineMin} of {@link #noiseMetrics} (what the INT8 loop reads) and the figure of {@link #gate()} (what the
 * block selection reads). A reference model's runs (its
 * predicted noise on the fidelity inputs, its seeded generation's final latents) are made once per
 * reference and replayed for every variant compared with it, and each variant runs once per report
 * or candidate: the run that gates an attention rewrite's candidate also gives its report's
 * whole-model and per-layer figures ({@link #gate()}). A convert has one reference per attention
 * form; what is kept is a few latent-sized tensors per reference. While the attention forms' blocks are chosen, the
 * source's recording also holds every attention block's result on the fidelity inputs (inputs x tokens x width x blocks
 * floats: for DiT-XL/2 at 256 px, 33 MB per input, about 200 MB on the 6 seeded inputs and 2.1 GB on 64 held-out
 * latents); {@link #keepOnlyModelOutputs()} drops them once the forms are chosen. Calls from several
 * threads may share a reference, which is run once (inside its cache entry), but not a variant: an
 * {@link OnnxModel} is not for concurrent use.
 */
final class DenoiserFidelity {
    static final long[] TIMESTEPS = {999, 500, 100};
    /** Steps of the seeded generation whose final latents are compared: enough for errors to compound, cheap on a CPU. */
    static final int GENERATION_STEPS = 8;
    /** What every approximate denoiser's gate reads, and its report's {@code cosine} is. */
    static final String STATISTIC = "worst-timestep predicted-noise cosine";
    /** The note every approximate denoiser's report carries, saying which statistic its {@code cosine} is. */
    static final String GATE_NOTE = "cosine is the " + STATISTIC + " (noiseCosineMin, the lowest noiseCosine_t*): the one figure"
            + " every approximate denoiser (ELFATT-SD, ToMe, ELFATT-SD+ToMe blocks, FP16, INT8) is gated on";
    private static final int ROWS = 2;

    private final int channels;
    private final int height;
    private final int width;
    private final boolean floatTimesteps;
    private final String latentsName;
    private final String timestepName;
    private final String className;
    private final Long nullClass;
    private final long seed;
    /** The timestep of each feed, in order; {@link #TIMESTEPS} unless held-out inputs were loaded. */
    private long[] timesteps = TIMESTEPS;
    /** Held-out noised latents from --calibration DIR, one feed per timestep; null: seeded feeds. */
    private List<Map<String, Tensor>> heldOut;
    private String heldOutSource;

    DenoiserFidelity(OnnxModel denoiser, Long nullClass, long seed) {
        String lat = null;
        String ts = null;
        String cls = null;
        boolean floatTs = true;
        long[] latShape = null;
        for (ValueInfoProto v : denoiser.graph().inputs()) {
            long[] d = Graph.dims(v);
            if (d.length == 4 && lat == null) {
                lat = v.getName();
                latShape = d;
            } else if (d.length == 1 && Graph.elemType(v) == TensorData.INT64 && v.getName().toLowerCase(Locale.ROOT).contains("class")) {
                cls = v.getName();
            } else if (d.length == 1 && ts == null) {
                ts = v.getName();
                floatTs = Graph.elemType(v) == TensorData.FLOAT;
            }
        }
        if (lat == null || ts == null || latShape[1] < 1 || latShape[2] < 1 || latShape[3] < 1) {
            throw new IllegalArgumentException("denoiser inputs " + denoiser.graph().inputs().stream()
                    .map(v -> v.getName() + Graph.dimsText(v)).toList()
                    + ", expected latents [N,C,H,W] with fixed C, H, W and timesteps [N]");
        }
        if (cls != null && nullClass == null) {
            throw new IllegalArgumentException("denoiser input '" + cls + "' takes class labels but the null class is unknown;"
                    + " pass --pipeline nullClass=N (DiT: its class count)");
        }
        this.latentsName = lat;
        this.timestepName = ts;
        this.className = cls;
        this.floatTimesteps = floatTs;
        this.channels = (int) latShape[1];
        this.height = (int) latShape[2];
        this.width = (int) latShape[3];
        this.nullClass = nullClass;
        this.seed = seed;
    }

    int channels() {
        return channels;
    }

    int height() {
        return height;
    }

    int width() {
        return width;
    }

    boolean conditional() {
        return className != null;
    }

    long[] timesteps() {
        return timesteps.clone();
    }

    /**
     * Uses held-out noised latents instead of seeded noise: {@code DIR/latents.npy} [N,C,H,W] float32,
     * {@code timesteps.npy} [N] and, for a class-conditional denoiser, {@code labels.npy} [N] int64.
     * Rows are grouped into one feed per distinct timestep, in the order they first appear. Seeded
     * Gaussian latents are far from what a trained denoiser sees late in sampling; these are not.
     */
    void useHeldOut(Path dir) {
        Path lat = dir.resolve("latents.npy");
        Path ts = dir.resolve("timesteps.npy");
        Path lab = dir.resolve("labels.npy");
        for (Path f : className != null ? List.of(lat, ts, lab) : List.of(lat, ts)) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("--calibration " + dir + " for a latent-diffusion bundle: " + f.getFileName()
                        + " is missing; expected latents.npy [N," + channels + "," + height + "," + width + "], timesteps.npy [N]"
                        + (className != null ? " and labels.npy [N] (int64)" : "") + " of held-out noised latents");
            }
        }
        if (className == null && Files.exists(lab)) {
            throw new IllegalArgumentException("--calibration " + dir + ": labels.npy given but the denoiser takes no class labels;"
                    + " remove it or convert the class-conditional model");
        }
        Tensor x = io.jedge.sdk.TensorFiles.readNpy(lat);
        Tensor t = io.jedge.sdk.TensorFiles.readNpy(ts);
        Tensor y = className != null ? io.jedge.sdk.TensorFiles.readNpy(lab) : null;
        long[] xs = x.shape();
        if (xs.length != 4 || xs[1] != channels || xs[2] != height || xs[3] != width || xs[0] < 1) {
            throw new IllegalArgumentException(lat + ": shape " + java.util.Arrays.toString(xs) + ", expected [N," + channels + ","
                    + height + "," + width + "] as the denoiser takes");
        }
        int n = (int) xs[0];
        if (t.shape().length != 1 || t.shape()[0] != n || (y != null && (y.shape().length != 1 || y.shape()[0] != n))) {
            throw new IllegalArgumentException("--calibration " + dir + ": timesteps " + java.util.Arrays.toString(t.shape())
                    + (y != null ? " and labels " + java.util.Arrays.toString(y.shape()) : "") + " must be [" + n + "], one per latent");
        }
        float[] tv = t.type() == io.jedge.sdk.DataType.FLOAT32 ? t.floats() : toFloats(t.longs());
        Map<Long, List<Integer>> rowsByT = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            if (tv[i] != Math.rint(tv[i])) {
                throw new IllegalArgumentException(ts + ": timestep " + tv[i] + " at row " + i + " is not a whole training timestep");
            }
            rowsByT.computeIfAbsent((long) tv[i], k -> new ArrayList<>()).add(i);
        }
        int per = channels * height * width;
        float[] all = x.floats();
        List<Map<String, Tensor>> feeds = new ArrayList<>();
        for (Map.Entry<Long, List<Integer>> e : rowsByT.entrySet()) {
            List<Integer> rows = e.getValue();
            int b = rows.size();
            float[] xb = new float[b * per];
            long[] yb = new long[b];
            for (int r = 0; r < b; r++) {
                System.arraycopy(all, rows.get(r) * per, xb, r * per, per);
                if (y != null) {
                    yb[r] = y.longs()[rows.get(r)];
                    if (yb[r] < 0 || yb[r] > nullClass) {
                        throw new IllegalArgumentException(lab + ": label " + yb[r] + " at row " + rows.get(r) + ", expected 0.." + nullClass);
                    }
                }
            }
            Map<String, Tensor> feed = new LinkedHashMap<>();
            feed.put(latentsName, Tensor.ofFloats(new long[] {b, channels, height, width}, xb));
            feed.put(timestepName, timestepTensor(b, e.getKey()));
            if (y != null) {
                feed.put(className, Tensor.ofLongs(new long[] {b}, yb));
            }
            feeds.add(feed);
        }
        referenceRuns.clear(); // recorded on the seeded feeds these replace
        this.heldOut = List.copyOf(feeds);
        this.timesteps = rowsByT.keySet().stream().mapToLong(Long::longValue).toArray();
        this.heldOutSource = n + " held-out noised latents from " + dir + " (timesteps " + java.util.Arrays.toString(timesteps) + ")";
    }

    private static float[] toFloats(long[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    private Tensor timestepTensor(int rows, long t) {
        if (floatTimesteps) {
            float[] ts = new float[rows];
            java.util.Arrays.fill(ts, t);
            return Tensor.ofFloats(new long[] {rows}, ts);
        }
        long[] ts = new long[rows];
        java.util.Arrays.fill(ts, t);
        return Tensor.ofLongs(new long[] {rows}, ts);
    }

    /** One feed per timestep: the held-out inputs when loaded, else {@value #ROWS} seeded rows each. */
    List<Map<String, Tensor>> feeds() {
        if (heldOut != null) {
            return heldOut;
        }
        GaussianNoise rnd = new GaussianNoise(seed);
        List<Map<String, Tensor>> out = new ArrayList<>();
        int per = channels * height * width;
        for (long t : TIMESTEPS) {
            Map<String, Tensor> feed = new LinkedHashMap<>();
            float[] x = new float[ROWS * per];
            rnd.fill(x);
            feed.put(latentsName, Tensor.ofFloats(new long[] {ROWS, channels, height, width}, x));
            if (floatTimesteps) {
                float[] ts = new float[ROWS];
                java.util.Arrays.fill(ts, t);
                feed.put(timestepName, Tensor.ofFloats(new long[] {ROWS}, ts));
            } else {
                long[] ts = new long[ROWS];
                java.util.Arrays.fill(ts, t);
                feed.put(timestepName, Tensor.ofLongs(new long[] {ROWS}, ts));
            }
            if (className != null) {
                long[] labels = new long[ROWS];
                for (int r = 0; r < ROWS - 1; r++) {
                    labels[r] = (long) (rnd.nextUniform() * Math.max(0, nullClass));
                }
                labels[ROWS - 1] = nullClass;
                feed.put(className, Tensor.ofLongs(new long[] {ROWS}, labels));
            }
            out.add(feed);
        }
        return out;
    }

    /**
     * The evaluator's report with the per-timestep noise metrics on {@link #feeds()}, the final-latent difference of a
     * {@value #GENERATION_STEPS}-step seeded generation and a note on the inputs added; its {@code cosine} is the
     * {@value #STATISTIC} ({@code noiseCosineMin}), whatever {@code base} had.
     */
    Report withNoiseMetrics(Report base, OnnxModel reference, OnnxModel variant, GenerationDefaults defaults) {
        return withNoiseMetrics(base, reference, variant, noiseMetrics(reference, variant), defaults);
    }

    private Report withNoiseMetrics(Report base, OnnxModel reference, OnnxModel variant, Map<String, Double> noise,
            GenerationDefaults defaults) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (noise.containsKey("noiseCosineMin")) { // without it withGeneration refuses these figures, naming what they lack
            metrics.put("cosine", noise.get("noiseCosineMin"));
        }
        base.metrics().forEach(metrics::putIfAbsent);
        metrics.putAll(noise);
        List<String> notes = new ArrayList<>(base.notes());
        notes.add(GATE_NOTE);
        return withGeneration(new Report(base.kind(), base.variant(), base.reference(), inputs(), metrics, base.layers(), notes),
                reference, variant, defaults);
    }

    /**
     * A report {@link #gate()} measured (its noise metrics and {@code cosine} come from the run that chose the variant,
     * which is not repeated) with the final-latent difference of a {@value #GENERATION_STEPS}-step seeded generation and
     * the notes on the inputs added.
     *
     * @throws IllegalArgumentException if {@code measured} has no predicted-noise figures (it was not measured by the gate)
     */
    Report withGeneration(Report measured, OnnxModel reference, OnnxModel variant, GenerationDefaults defaults) {
        if (!measured.metrics().containsKey("noiseCosineMin")) {
            throw new IllegalArgumentException("report of " + measured.variant() + " has no noiseCosineMin (metrics "
                    + measured.metrics().keySet() + "); expected one measured through the predicted-noise gate");
        }
        Map<String, Double> metrics = new LinkedHashMap<>(measured.metrics());
        metrics.putAll(finalLatentMetrics(reference, variant, defaults));
        List<String> notes = new ArrayList<>(measured.notes());
        notes.add(heldOut != null
                ? String.format(Locale.ROOT, "predicted noise (first %d output channels) compared at timesteps %s on held-out"
                        + " noised latents; whole-model metrics cover every output channel", channels, java.util.Arrays.toString(timesteps))
                : String.format(Locale.ROOT, "predicted noise (first %d output channels) compared at timesteps %s,"
                        + " %d seeded rows each%s; whole-model metrics cover every output channel", channels,
                        java.util.Arrays.toString(TIMESTEPS), ROWS, className != null ? " (a seeded class and the null class " + nullClass + ")" : ""));
        notes.add(String.format(Locale.ROOT, "final latents of a %d-step %s generation (seed %d%s), every step on the variant",
                GENERATION_STEPS, defaults.scheduler().id(), seed, className != null ? ", guidance " + defaults.guidanceScale() : ""));
        return new Report(measured.kind(), measured.variant(), measured.reference(), measured.inputs(), metrics, measured.layers(),
                notes);
    }

    /** What the fidelity inputs are, for a report. */
    private String inputs() {
        return heldOut != null ? heldOutSource : TIMESTEPS.length + " seeded denoiser inputs (seed " + seed + ", timesteps "
                + java.util.Arrays.toString(TIMESTEPS) + ", batch " + ROWS + ")";
    }

    /**
     * The report of a reduced-precision denoiser against the FP32 model it was converted from; its
     * {@code cosine} is the {@value #STATISTIC}, what the precision gate and the runtime's fidelity floor read.
     */
    Report precisionReport(String variantId, String referenceId, OnnxModel reference, OnnxModel variant, GenerationDefaults defaults,
            List<String> notes) {
        return withNoiseMetrics(new Report("accuracy", variantId, referenceId, "", Map.of(), List.of(), notes), reference, variant,
                defaults);
    }

    /**
     * As {@link #precisionReport(String, String, OnnxModel, OnnxModel, GenerationDefaults, List)}, with {@code noise}, the
     * {@link #noiseMetrics(OnnxModel, OnnxModel)} of this very {@code variant} against {@code reference} measured already
     * (by the INT8 validation loop, whose last measure is of the model it returns): the variant is not run on the
     * fidelity inputs again, only in the final-latent generation.
     *
     * @throws IllegalArgumentException if {@code noise} has no {@code noiseCosineMin} (it is not what noiseMetrics measures)
     */
    Report precisionReport(String variantId, String referenceId, OnnxModel reference, OnnxModel variant, Map<String, Double> noise,
            GenerationDefaults defaults, List<String> notes) {
        return withNoiseMetrics(new Report("accuracy", variantId, referenceId, "", Map.of(), List.of(), notes), reference, variant,
                noise, defaults);
    }

    /** The {@value #STATISTIC} as the fidelity floor's gate, for choosing an attention rewrite's blocks. */
    FidelityEvaluator.Gate gate() {
        return new FidelityEvaluator.Gate() {
            // each candidate runs once: that run gives the floor's figure, the noise metrics and the whole-model and
            // per-layer figures; the reference is recorded once with every block's result; withGeneration completes the report
            @Override
            public FidelityEvaluator.Measurement measure(OnnxModel reference, OnnxModel variant, List<ModelComparator.Probe> probes) {
                ModelComparator.Result r = compare(reference, variant, probes);
                Map<String, Double> noise = noiseFigures(r);
                Map<String, Double> figures = new LinkedHashMap<>();
                figures.put("cosine", noise.get("noiseCosineMin"));
                figures.putAll(noise);
                return new FidelityEvaluator.Measurement(r, figures, inputs());
            }

            @Override
            public String statistic() {
                return STATISTIC;
            }

            @Override
            public String note() {
                return GATE_NOTE;
            }
        };
    }

    /** Reference runs on {@link #feeds()}, by reference model (identity: a convert passes each form's one object). */
    private final Map<OnnxModel, Replay> referenceRuns = new ConcurrentHashMap<>();
    /** Final latents of each reference's seeded generation, by model (identity) and defaults: one generation each. */
    private final Map<GenerationKey, float[]> referenceLatents = new ConcurrentHashMap<>();
    private final AtomicInteger referenceRecordings = new AtomicInteger();
    private final AtomicInteger referenceGenerations = new AtomicInteger();
    private final AtomicInteger variantRuns = new AtomicInteger();

    private record GenerationKey(OnnxModel model, GenerationDefaults defaults) {
    }

    /** How many times a reference was run on the fidelity inputs: once per distinct reference. */
    int referenceRecordings() {
        return referenceRecordings.get();
    }

    /** How many seeded generations references ran for the final-latent comparison: once per distinct reference. */
    int referenceGenerations() {
        return referenceGenerations.get();
    }

    /** How many times a variant was run on the fidelity inputs: once per model measured. */
    int variantRuns() {
        return variantRuns.get();
    }

    /**
     * {@code reference}'s outputs on {@link #feeds()}, with {@code tensors} among them. Recorded once per reference; asked
     * for tensors its recording lacks, it is recorded again with them (a convert asks for every block's result first).
     */
    private Replay recorded(OnnxModel reference, java.util.Set<String> tensors) {
        // compute runs each reference once, even for callers arriving together
        return referenceRuns.compute(reference, (r, had) -> {
            if (had != null && had.has(tensors)) {
                return had;
            }
            java.util.Set<String> all = new java.util.LinkedHashSet<>(tensors);
            if (had != null) {
                had.outputs().forEach(o -> all.add(o.name()));
            }
            referenceRecordings.incrementAndGet();
            try (InferenceSession rs = SessionFactory.open(exposing(r, all), "reference denoiser", SESSION)) {
                java.util.Set<String> names = new java.util.LinkedHashSet<>();
                rs.outputs().forEach(o -> names.add(o.name()));
                List<Map<String, Tensor>> outs = new ArrayList<>();
                for (Map<String, Tensor> f : feeds()) {
                    outs.add(rs.run(f, names));
                }
                return new Replay(rs.inputs(), rs.outputs(), List.copyOf(outs));
            }
        });
    }

    /**
     * Cuts every recorded reference down to its model's own outputs, the predicted noise every later report reads: the
     * attention blocks' results (the bulk of the source's recording) are read only while the attention forms' blocks
     * are chosen. Nothing is run again; a later call asking for a block's result records the reference anew.
     */
    void keepOnlyModelOutputs() {
        referenceRuns.replaceAll((model, replay) -> replay.only(outputNames(model)));
    }

    /** The tensors recorded for {@code reference} on the fidelity inputs; empty when it was not recorded. */
    java.util.Set<String> recordedTensors(OnnxModel reference) {
        Replay r = referenceRuns.get(reference);
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        if (r != null) {
            r.outputs().forEach(o -> names.add(o.name()));
            r.runs().forEach(run -> names.addAll(run.keySet()));
        }
        return names;
    }

    private static java.util.Set<String> outputNames(OnnxModel model) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        model.graph().outputs().forEach(v -> names.add(v.getName()));
        return names;
    }

    /** {@code model} itself when it already outputs {@code tensors}, else a copy with them as extra outputs. */
    private static OnnxModel exposing(OnnxModel model, java.util.Set<String> tensors) {
        java.util.Set<String> outputs = new java.util.HashSet<>();
        model.graph().outputs().forEach(v -> outputs.add(v.getName()));
        return outputs.containsAll(tensors) ? model : model.withOutputs(tensors);
    }

    /** A session that answers the i-th run with the i-th recorded outputs: a reference measured once, compared many times. */
    private record Replay(List<io.jedge.sdk.bundle.TensorSpec> inputs, List<io.jedge.sdk.bundle.TensorSpec> outputs,
            List<Map<String, Tensor>> runs) {
        boolean has(java.util.Set<String> tensors) {
            return outputs.stream().map(io.jedge.sdk.bundle.TensorSpec::name).collect(java.util.stream.Collectors.toSet())
                    .containsAll(tensors);
        }

        /** This recording with only the {@code names} tensors kept. */
        Replay only(java.util.Set<String> names) {
            List<Map<String, Tensor>> kept = new ArrayList<>();
            for (Map<String, Tensor> run : runs) {
                Map<String, Tensor> k = new LinkedHashMap<>(run);
                k.keySet().retainAll(names);
                kept.add(k);
            }
            return new Replay(inputs, outputs.stream().filter(o -> names.contains(o.name())).toList(), List.copyOf(kept));
        }

        InferenceSession fresh() {
            java.util.Iterator<Map<String, Tensor>> next = runs.iterator();
            return new InferenceSession() {
                @Override
                public String backendName() {
                    return "recorded reference";
                }

                @Override
                public List<io.jedge.sdk.bundle.TensorSpec> inputs() {
                    return inputs;
                }

                @Override
                public List<io.jedge.sdk.bundle.TensorSpec> outputs() {
                    return outputs;
                }

                @Override
                public Map<String, Tensor> run(Map<String, Tensor> in, java.util.Set<String> names) {
                    return next.next();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /**
     * A decoder variant against its reference on the images of {@value #ROWS} seeded latents at the
     * denoiser's latent size: {@code cosine} and {@code maxAbsError} of the pixels.
     */
    Report decoderReport(String variantId, String referenceId, OnnxModel reference, OnnxModel variant, List<String> notes) {
        float[] x = new float[ROWS * channels * height * width];
        new GaussianNoise(seed + 1).fill(x);
        Tensor latents = Tensor.ofFloats(new long[] {ROWS, channels, height, width}, x);
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (InferenceSession rs = SessionFactory.open(reference, referenceId + " decoder", SESSION);
                InferenceSession vs = SessionFactory.open(variant, variantId + " decoder", SESSION)) {
            String in = rs.inputs().get(0).name();
            String out = rs.outputs().get(0).name();
            Metrics m = ModelComparator.run(rs, vs, List.of(Map.of(in, latents)), List.of(ModelComparator.Probe.of(out))).get(out);
            metrics.put("cosine", m.cosine());
            metrics.put("maxAbsError", m.maxAbsError());
        }
        String inputs = ROWS + " seeded latents [" + channels + "," + height + "," + width + "] (seed " + (seed + 1) + ")";
        return new Report("accuracy", variantId, referenceId, inputs, metrics, List.of(), notes);
    }

    /**
     * The predicted-noise metrics of {@code variant} against {@code reference} on {@link #feeds()}: {@code noiseCosine_t*},
     * {@code noiseMaxRelError_t*}, {@code noiseCosine} (the mean) and {@code noiseCosineMin}, the {@value #STATISTIC}.
     */
    Map<String, Double> noiseMetrics(OnnxModel reference, OnnxModel variant) {
        return noiseFigures(compare(reference, variant, List.of()));
    }

    /** Probe name of the predicted noise; tensor names cannot contain the NUL it starts with. */
    private static final String NOISE = "\0noise";

    /**
     * One run of {@code variant} on {@link #feeds()} against the recorded reference: {@code probes} (whose tensors are
     * exposed on copies) and the predicted noise.
     */
    private ModelComparator.Result compare(OnnxModel reference, OnnxModel variant, List<ModelComparator.Probe> probes) {
        java.util.Set<String> refTensors = new java.util.LinkedHashSet<>();
        java.util.Set<String> varTensors = new java.util.LinkedHashSet<>();
        probes.forEach(p -> {
            refTensors.addAll(p.reference());
            varTensors.addAll(p.candidate());
        });
        InferenceSession rs = recorded(reference, refTensors).fresh();
        variantRuns.incrementAndGet();
        try (InferenceSession vs = SessionFactory.open(exposing(variant, varTensors), "variant denoiser", SESSION)) {
            String out = reference.graph().outputs().get(0).getName();
            List<ModelComparator.Probe> all = new ArrayList<>(probes);
            all.add(ModelComparator.Probe.of(NOISE, out, out).withView(this::noise));
            return ModelComparator.run(rs, vs, feeds(), all);
        }
    }

    /** The predicted noise per timestep, its mean and its worst ({@code noiseCosineMin}), of a {@link #compare}. */
    private Map<String, Double> noiseFigures(ModelComparator.Result r) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        List<Metrics> perTimestep = r.perSample().get(NOISE);
        for (int i = 0; i < perTimestep.size(); i++) {
            metrics.put("noiseCosine_t" + timesteps[i], perTimestep.get(i).cosine());
            metrics.put("noiseMaxRelError_t" + timesteps[i], perTimestep.get(i).maxRelError());
        }
        metrics.put("noiseCosine", r.get(NOISE).sampleCosineMean());
        metrics.put("noiseCosineMin", r.get(NOISE).sampleCosineMin());
        return metrics;
    }

    /** Cosine, max abs difference and relative RMS of the final latents of the same seeded generation run with each model. */
    private Map<String, Double> finalLatentMetrics(OnnxModel rf, OnnxModel vf, GenerationDefaults defaults) {
        GenerationOptions o = generation(defaults, GENERATION_STEPS, seed, nullClass != null && nullClass > 0 ? seed % nullClass : 0);
        float[] ref = referenceLatents.computeIfAbsent(new GenerationKey(rf, defaults), k -> {
            referenceGenerations.incrementAndGet();
            return finalLatents(rf, "reference", defaults, o, x -> x);
        });
        Metrics d = Metrics.of(ref, finalLatents(vf, "variant", defaults, o, x -> x));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("finalLatentCosine", d.cosine());
        m.put("finalLatentMaxAbsDiff", d.maxAbsError());
        m.put("finalLatentRelRms", d.relativeL2());
        return m;
    }

    /** A seeded generation of one image: guided with {@code classLabel} for a class-conditional model, else unguided. */
    private GenerationOptions generation(GenerationDefaults defaults, int steps, long generationSeed, long classLabel) {
        GenerationOptions.Builder b = defaults.applyTo(GenerationOptions.builder()).steps(steps).seed(generationSeed)
                .elfattFraction(0).latentSize(channels, height, width);
        if (className != null) {
            b.classLabel(classLabel);
        } else {
            b.unconditional().guidanceScale(1.0);
        }
        return b.build();
    }

    /**
     * The denoiser inputs {@code model} meets in {@code generations} seeded {@code steps}-step
     * generations (seeds {@code firstSeed}, {@code firstSeed + 1}, ...; a seeded class each), one
     * feed per denoiser call: with classifier-free guidance each feed holds the class row and its
     * null-class row, as the pipeline batches them. What INT8 calibrates on: latents at the noise
     * levels sampling really passes through, which seeded Gaussian latents are only at t = 999.
     */
    List<Map<String, Tensor>> trajectoryFeeds(OnnxModel model, GenerationDefaults defaults, int generations, int steps, long firstSeed) {
        List<Map<String, Tensor>> feeds = new ArrayList<>();
        GaussianNoise classes = new GaussianNoise(firstSeed);
        for (int g = 0; g < generations; g++) {
            long label = className != null ? (long) (classes.nextUniform() * nullClass) : 0;
            finalLatents(model, "calibration", defaults, generation(defaults, steps, firstSeed + g, label), d -> new Recorder(d, feeds));
        }
        return feeds;
    }

    /** Copies every input the pipeline passes (it reuses their buffers) before the wrapped denoiser runs. */
    private final class Recorder implements Denoiser {
        private final Denoiser inner;
        private final List<Map<String, Tensor>> feeds;

        Recorder(Denoiser inner, List<Map<String, Tensor>> feeds) {
            this.inner = inner;
            this.feeds = feeds;
        }

        @Override
        public Tensor predict(Tensor latents, Tensor timesteps, Tensor classLabels) {
            Map<String, Tensor> feed = new LinkedHashMap<>();
            feed.put(latentsName, Tensor.ofFloats(latents.shape(), latents.toFloatArray()));
            feed.put(timestepName, timesteps.type() == io.jedge.sdk.DataType.FLOAT32
                    ? Tensor.ofFloats(timesteps.shape(), timesteps.toFloatArray()) : Tensor.ofLongs(timesteps.shape(), timesteps.longs().clone()));
            if (className != null) {
                feed.put(className, Tensor.ofLongs(classLabels.shape(), classLabels.longs().clone()));
            }
            feeds.add(feed);
            return inner.predict(latents, timesteps, classLabels);
        }

        @Override
        public io.jedge.sdk.DataType timestepType() {
            return inner.timestepType();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private static float[] finalLatents(OnnxModel model, String which, GenerationDefaults defaults, GenerationOptions o,
            java.util.function.UnaryOperator<Denoiser> wrap) {
        // only the latents are compared, so a stand-in decoder saves decoding twice
        LatentDecoder none = latents -> Tensor.ofFloats(new long[] {latents.dim(0), 3, 1, 1}, new float[(int) latents.dim(0) * 3]);
        try (LatentDiffusionPipeline p = LatentDiffusionPipeline.builder().noiseSchedule(defaults.noiseSchedule())
                .latentScalingFactor(defaults.latentScalingFactor())
                .denoiser(DenoiserKind.VANILLA, () -> wrap.apply(
                        new SessionDenoiser(SessionFactory.open(model, which + " denoiser", SESSION), which + " denoiser", 0)))
                .decoder(() -> none).build()) {
            return p.generate(o).latents().floats();
        }
    }

    private static final SessionOptions SESSION = SessionOptions.builder().threads(0).build();

    /** The first {@code channels} channels of each row of a [N, C', H, W] prediction. */
    private Tensor noise(Tensor pred) {
        float[] all = pred.floats();
        int rows = (int) pred.dim(0);
        int outC = (int) pred.dim(1);
        int hw = height * width;
        float[] out = new float[rows * channels * hw];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(all, r * outC * hw, out, r * channels * hw, channels * hw);
        }
        return Tensor.ofFloats(new long[] {rows, channels, height, width}, out);
    }
}
