package io.jedge.converters.precision;

import io.jedge.converters.compare.MetricsAccumulator;
import io.jedge.converters.compare.Metrics;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.runtime.bench.LatencyBench;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime CPU latency of FP32 vs INT8 (QDQ, ort-cpu profile) vs FP16 ViT variants at batch 1
 * and 8, and the INT8/FP16 agreement with FP32 on seeded inputs. Writes a Markdown report.
 *
 * <p>Run from the repository root (the machine's other users share its cores; variants are
 * measured in interleaved rounds and the median of the round medians is reported):
 *
 * <pre>
 * mvn -o -q -pl converters -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp converters/target/test-classes:converters/target/classes:$(cat /tmp/cp.txt) \
 *     io.jedge.converters.precision.PrecisionBenchmark --presets micro,tiny,small --rounds 9 --seconds 0.6 \
 *     --out benchmarks/precision-cpu-$(date +%F).md
 * </pre>
 *
 * Options: {@code --presets} (ViT presets), {@code --seconds} (per measurement, default 1.5),
 * {@code --rounds} (default 3), {@code --agreement-inputs} (default 512), {@code --agreement-presets}
 * (default micro,tiny), {@code --calibration}
 * (seeded calibration inputs, default 32), {@code --threads} (default 2), {@code --attention vanilla|elfatt}
 * (default vanilla), {@code --out FILE}.
 */
public final class PrecisionBenchmark {
    private PrecisionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        List<String> presets = List.of(a.getOrDefault("--presets", "micro,tiny").split(","));
        double seconds = Double.parseDouble(a.getOrDefault("--seconds", "1.5"));
        int rounds = Integer.parseInt(a.getOrDefault("--rounds", "3"));
        int agreementInputs = Integer.parseInt(a.getOrDefault("--agreement-inputs", "512"));
        int calibration = Integer.parseInt(a.getOrDefault("--calibration", "32"));
        int threads = Integer.parseInt(a.getOrDefault("--threads", "2"));
        List<String> agreementPresets = List.of(a.getOrDefault("--agreement-presets", "micro,tiny").split(","));
        Path out = a.containsKey("--out") ? Path.of(a.get("--out")) : null;
        Path work = Files.createTempDirectory("jedge-precision-bench");

        StringBuilder md = new StringBuilder();
        md.append("# ONNX Runtime CPU: FP32 vs INT8 vs FP16 ViT variants\n\n");
        md.append("- date: ").append(LocalDate.now()).append('\n');
        md.append("- machine: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores visible (shared with other users); flags: ").append(flags()).append('\n');
        md.append("- versions: ONNX Runtime ").append(ortVersion()).append(", Java ").append(System.getProperty("java.version"))
                .append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append('\n');
        md.append("- models: jedge ViT presets with SeededWeights(1) (timm-style init), " + a.getOrDefault("--attention", "vanilla")
                + " attention\n");
        md.append("- INT8: ort-cpu profile (uint8 asymmetric activations, int8 symmetric per-channel weights, QDQ → "
                + "MatMulIntegerToFloat), entropy calibrator on ").append(calibration)
                .append(" seeded inputs (seed 1; N(0,1) and smooth images, CalibrationSet.seeded); default exclusions (patch embedding, head, attention BMMs)\n");
        md.append("- FP16: default kept-FP32 list (LayerNormalization, reductions, long softmax > 256), FP32 I/O\n");
        md.append("- latency: ").append(threads).append(" intra-op threads, ALL optimizations, ").append(rounds)
                .append(" interleaved rounds of at least ").append(seconds).append(" s (and 2 runs) per variant and batch\n");
        md.append("- agreement: ").append(agreementInputs).append(" seeded inputs (seed 7, not the calibration seed; N(0,1) and smooth images), batch 8\n\n");

        List<String[]> latencyRows = new ArrayList<>();
        List<String[]> agreementRows = new ArrayList<>();
        for (String preset : presets) {
            VitConfig c = VitConfig.preset(preset);
            log("building " + preset);
            OnnxModel fp32 = VitBuilder.build(c, new SeededWeights(1), io.jedge.converters.attention.Attentions.byName(
                    a.getOrDefault("--attention", "vanilla"), io.jedge.converters.attention.ElfattOptions.defaults()));
            List<TensorSpec> in = List.of(new TensorSpec("pixels", "float32", List.of(-1L, 3L, (long) c.imageSize(), (long) c.imageSize())));
            long t0 = System.nanoTime();
            Int8Quantizer.Result q = new Int8Quantizer(Int8Options.defaults()).quantize(fp32, CalibrationSet.seeded(in, calibration, 1),
                    null, 0, true, p -> {
                        if (p.done() == p.total()) {
                            log("  " + p);
                        }
                    });
            double quantSeconds = (System.nanoTime() - t0) / 1e9;
            OnnxModel fp16 = Fp16Converter.convert(fp32, Fp16Options.defaults()).model();
            Map<String, Path> files = new LinkedHashMap<>();
            files.put("fp32", save(work, preset + "-fp32.onnx", fp32));
            files.put("int8", save(work, preset + "-int8.onnx", q.model()));
            files.put("fp16", save(work, preset + "-fp16.onnx", fp16));

            SessionOptions so = SessionOptions.builder().threads(threads).build();
            Map<String, InferenceSession> sessions = new LinkedHashMap<>();
            for (Map.Entry<String, Path> e : files.entrySet()) {
                sessions.put(e.getKey(), new OrtBackend().open(e.getValue(), so));
            }
            try {
                for (int batch : new int[] {1, 8}) {
                    Map<String, Tensor> x = CalibrationSet.seeded(in, batch, 3).withBatchSize(batch).batch(0);
                    Map<String, double[]> p50 = new LinkedHashMap<>();
                    sessions.keySet().forEach(k -> p50.put(k, new double[rounds]));
                    for (int r = 0; r < rounds; r++) {
                        for (Map.Entry<String, InferenceSession> e : sessions.entrySet()) {
                            LatencyBench.Stats s = LatencyBench.measure(e.getValue(), x, r == 0 ? 3 : 1, seconds, 2);
                            p50.get(e.getKey())[r] = s.p50Ms();
                        }
                    }
                    double f = median(p50.get("fp32"));
                    double i8 = median(p50.get("int8"));
                    double h = median(p50.get("fp16"));
                    // the three variants of one round ran back to back, so their ratio sees the same contention
                    double[] ri = new double[rounds];
                    double[] rh = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        ri[r] = p50.get("fp32")[r] / p50.get("int8")[r];
                        rh[r] = p50.get("fp32")[r] / p50.get("fp16")[r];
                    }
                    log(String.format(Locale.ROOT, "  %s batch %d: fp32 %.1f ms, int8 %.1f ms (%.2fx paired), fp16 %.1f ms (%.2fx paired)",
                            preset, batch, f, i8, median(ri), h, median(rh)));
                    double fMin = min(p50.get("fp32"));
                    double iMin = min(p50.get("int8"));
                    double hMin = min(p50.get("fp16"));
                    latencyRows.add(new String[] {preset, String.valueOf(batch), fmt(f), fmt(i8), fmt(h),
                            String.format(Locale.ROOT, "%.2fx", median(ri)), String.format(Locale.ROOT, "%.2fx", median(rh)),
                            String.format(Locale.ROOT, "%s / %s / %s (%.2fx, %.2fx)", fmt(fMin), fmt(iMin), fmt(hMin), fMin / iMin, fMin / hMin),
                            rounds(p50)});
                }
                if (agreementInputs > 0 && agreementPresets.contains(preset)) {
                    agreementRows.add(agreement(preset, sessions, in, agreementInputs, q, quantSeconds, c.classes()));
                }
            } finally {
                sessions.values().forEach(InferenceSession::close);
            }
        }
        md.append("## Latency (ms per batch, p50)\n\n");
        md.append("FP32/INT8/FP16: median over rounds of each round's p50. Speed-ups: median over rounds of the ratio "
                + "FP32 p50 / variant p50 within the same round (the variants of a round run back to back, so the ratio sees "
                + "the same contention). \"Fastest round\": the least-contended round of each variant (FP32 / INT8 / FP16 ms, "
                + "INT8 and FP16 speed-ups of those minima).\n\n");
        md.append("| preset | batch | FP32 | INT8 | FP16 | INT8 speed-up | FP16 speed-up | fastest round | round p50s fp32 ; int8 ; fp16 |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (String[] r : latencyRows) {
            md.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        md.append("\n## Agreement with FP32 (").append(agreementInputs).append(" held-out seeded inputs)\n\n");
        md.append("| preset | variant | cosine | SQNR dB | max abs error | top-1 agreement | distinct FP32 top-1 classes | notes |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (String[] r : agreementRows) {
            md.append(r[0]).append('\n');
        }
        String text = md.toString();
        System.out.println(text);
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, text);
            log("wrote " + out);
        }
    }

    private static String[] agreement(String preset, Map<String, InferenceSession> sessions, List<TensorSpec> in, int n,
            Int8Quantizer.Result q, double quantSeconds, int classes) {
        CalibrationSet held = CalibrationSet.seeded(in, n, 7).withBatchSize(8);
        MetricsAccumulator i8 = new MetricsAccumulator();
        MetricsAccumulator h = new MetricsAccumulator();
        Set<Integer> distinct = new HashSet<>();
        double[] margins = new double[n];
        int rowsSeen = 0;
        for (int b = 0; b < held.batches(); b++) {
            Map<String, Tensor> x = held.batch(b);
            Tensor ref = sessions.get("fp32").run(x).get("logits");
            i8.addRows(ref, sessions.get("int8").run(x).get("logits"));
            h.addRows(ref, sessions.get("fp16").run(x).get("logits"));
            float[] v = ref.floats();
            for (int r = 0; r < v.length / classes; r++) {
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    if (v[r * classes + k] > v[r * classes + best]) {
                        best = k;
                    }
                }
                distinct.add(best);
                margins[rowsSeen++] = margin(v, r * classes, classes);
            }
        }
        StringBuilder b = new StringBuilder();
        Arrays.sort(margins, 0, rowsSeen);
        String marginText = String.format(Locale.ROOT, "FP32 top-1 margin (top1−top2)/std of the logits: 5%% %.3f, 25%% %.3f, median %.3f",
                margins[rowsSeen / 20], margins[rowsSeen / 4], margins[rowsSeen / 2]);
        b.append(row(preset, "INT8", i8.result(), distinct.size(), String.format(Locale.ROOT,
                "%d/%d layers quantized; quantization took %.1f s; %s", q.quantizedCount(), q.layers().size(), quantSeconds, marginText)));
        b.append('\n').append(row(preset, "FP16", h.result(), distinct.size(), ""));
        log("  " + preset + " int8 " + i8.result() + " / fp16 " + h.result());
        return new String[] {b.toString()};
    }

    /** (top-1 − top-2) logit gap of one row over the row's standard deviation. */
    private static double margin(float[] v, int from, int k) {
        float[] row = Arrays.copyOfRange(v, from, from + k);
        double mean = 0;
        for (float f : row) {
            mean += f;
        }
        mean /= k;
        double var = 0;
        for (float f : row) {
            var += (f - mean) * (f - mean);
        }
        Arrays.sort(row);
        return (row[k - 1] - row[k - 2]) / Math.sqrt(var / k);
    }

    private static String row(String preset, String variant, Metrics m, int distinct, String notes) {
        return String.format(Locale.ROOT, "| %s | %s | %.6f | %.1f | %.4g | %.2f%% | %d | %s |", preset, variant, m.cosine(),
                m.sqnrDb(), m.maxAbsError(), 100 * m.top1Agreement().orElse(Double.NaN), distinct, notes);
    }

    private static String rounds(Map<String, double[]> p50) {
        List<String> parts = new ArrayList<>();
        for (double[] v : p50.values()) {
            parts.add(String.join("/", Arrays.stream(v).mapToObj(PrecisionBenchmark::fmt).toList()));
        }
        return String.join(" ; ", parts);
    }

    private static Path save(Path dir, String name, OnnxModel m) {
        Path p = dir.resolve(name);
        m.save(p);
        return p;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static void log(String s) {
        System.err.println(s);
    }

    private static String cpuModel() {
        return cpuinfo("model name");
    }

    private static String flags() {
        String f = " " + cpuinfo("flags") + " ";
        List<String> shown = new ArrayList<>();
        for (String k : List.of("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8", "avx512_fp16", "f16c")) {
            shown.add(k + (f.contains(" " + k + " ") ? " yes" : " no"));
        }
        return String.join(", ", shown);
    }

    private static String cpuinfo(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith(key)) {
                    return l.substring(l.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "unknown";
    }

    private static String ortVersion() {
        String v = ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion();
        return v == null ? "1.23.2 (from the pom)" : v;
    }
}
