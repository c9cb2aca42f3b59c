package io.jedge.converters.convert;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.attention.FidelityEvaluator;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Report;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The fidelity inputs and noise comparison of a denoiser rewrite: seeded latents at a few training
 * timesteps (999, 500, 100 by default), each batch holding a seeded class row and a null-class row
 * for class-conditional models. The {@link FidelityEvaluator} report over these inputs gets, per
 * timestep, the cosine and max relative error of the predicted noise alone (the first C output
 * channels; a learned-sigma model's variance channels are left out).
 */
final class DenoiserFidelity {
    static final long[] TIMESTEPS = {999, 500, 100};
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

    /** One feed per timestep, each of {@value #ROWS} rows. */
    List<Map<String, Tensor>> feeds() {
        Random rnd = new Random(seed);
        List<Map<String, Tensor>> out = new ArrayList<>();
        int per = channels * height * width;
        for (long t : TIMESTEPS) {
            Map<String, Tensor> feed = new LinkedHashMap<>();
            float[] x = new float[ROWS * per];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
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
                    labels[r] = nullClass > 0 ? rnd.nextInt((int) Math.min(Integer.MAX_VALUE, nullClass)) : 0;
                }
                labels[ROWS - 1] = nullClass;
                feed.put(className, Tensor.ofLongs(new long[] {ROWS}, labels));
            }
            out.add(feed);
        }
        return out;
    }

    /** The evaluator's report with the per-timestep noise metrics and a note on the inputs added. */
    Report withNoiseMetrics(Report base, OnnxModel reference, OnnxModel variant, List<Map<String, Tensor>> feeds) {
        Map<String, Double> metrics = new LinkedHashMap<>(base.metrics());
        Path dir;
        try {
            dir = Files.createTempDirectory("jedge-denoiser-fidelity");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for the denoiser fidelity run", e);
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        try {
            Path rf = dir.resolve("reference.onnx");
            Path vf = dir.resolve("variant.onnx");
            reference.save(rf, false);
            variant.save(vf, false);
            OrtBackend ort = new OrtBackend();
            SessionOptions so = SessionOptions.builder().threads(0).build();
            try (InferenceSession rs = ort.open(rf, so); InferenceSession vs = ort.open(vf, so)) {
                String out = rs.outputs().get(0).name();
                for (int i = 0; i < feeds.size(); i++) {
                    float[] r = noise(rs.run(feeds.get(i)).get(out));
                    float[] v = noise(vs.run(feeds.get(i)).get(out));
                    double cos = cosine(r, v);
                    double maxAbs = 0;
                    double maxRef = 0;
                    for (int k = 0; k < r.length; k++) {
                        maxAbs = Math.max(maxAbs, Math.abs((double) r[k] - v[k]));
                        maxRef = Math.max(maxRef, Math.abs(r[k]));
                    }
                    metrics.put("noiseCosine_t" + TIMESTEPS[i], cos);
                    metrics.put("noiseMaxRelError_t" + TIMESTEPS[i], maxRef == 0 ? 0 : maxAbs / maxRef);
                    sum += cos;
                    min = Math.min(min, cos);
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temp folder is harmless
            }
        }
        metrics.put("noiseCosine", sum / feeds.size());
        metrics.put("noiseCosineMin", min);
        List<String> notes = new ArrayList<>(base.notes());
        notes.add(String.format(Locale.ROOT, "predicted noise (first %d output channels) compared at timesteps %s,"
                + " %d seeded rows each%s; whole-model metrics cover every output channel", channels,
                java.util.Arrays.toString(TIMESTEPS), ROWS, className != null ? " (a seeded class and the null class " + nullClass + ")" : ""));
        String inputs = feeds.size() + " seeded denoiser inputs (seed " + seed + ", timesteps " + java.util.Arrays.toString(TIMESTEPS)
                + ", batch " + ROWS + ")";
        return new Report(base.kind(), base.variant(), base.reference(), inputs, metrics, base.layers(), notes);
    }

    /** The first {@code channels} channels of each row of a [N, C', H, W] prediction. */
    private float[] noise(Tensor pred) {
        float[] all = pred.floats();
        int rows = (int) pred.dim(0);
        int outC = (int) pred.dim(1);
        int hw = height * width;
        float[] out = new float[rows * channels * hw];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(all, r * outC * hw, out, r * channels * hw, channels * hw);
        }
        return out;
    }

    static double cosine(float[] a, float[] b) {
        return io.jedge.converters.precision.AccuracyMetrics.cosine(a, b);
    }
}
