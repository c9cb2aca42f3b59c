package io.jedge.converters.diffusion;

import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.DiffusionConverter;
import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.Safetensors;
import io.jedge.converters.precision.CalibrationMethod;
import io.jedge.converters.precision.Int8Options;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.converters.precision.QuantProfile;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.TensorFiles;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.diffusion.GaussianNoise;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.ImageGenerator;
import io.jedge.sdk.diffusion.SchedulerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The measurement behind the INT8 diffusion defaults (benchmarks/int8-diffusion-trained-digits-cpu-2026-12-03.md):
 * the trained digits DiT converted to {@code int8-vanilla} under several float-keep lists, calibrators and
 * profiles, each compared with FP32 as convert reports it (predicted-noise cosine at the 8 held-out timesteps,
 * final latents of an 8-step seeded generation); then, for the default conversion, the share of generated
 * digits the fixture's classifier reads as their class, and the denoiser latency at batch 2 (as guidance runs)
 * on ONNX Runtime CPU.
 *
 * <pre>java -cp ... io.jedge.converters.diffusion.Int8DiffusionMeasure WORKDIR [PER_CLASS] [THREADS] [loop]</pre>
 *
 * With {@code loop}, only the default conversion and the validation loop's floors run (no float-keep table, digits
 * or latency): what a change to the validation loop can move.
 */
public final class Int8DiffusionMeasure {
    private static final Path FIXTURE = TrainedDigitsGenerationTest.FIXTURE;
    private static final long[] TIMESTEPS = TrainedDigitsGenerationTest.EVAL_TIMESTEPS;

    private Int8DiffusionMeasure() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/int8-measure"));
        int perClass = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        boolean loopOnly = args.length > 3 && args[3].equals("loop");
        if (args.length > 3 && !loopOnly) {
            throw new IllegalArgumentException("fourth argument '" + args[3] + "', expected loop or nothing");
        }
        Path dit = work.resolve("digits-dit.onnx");
        DitBuilder.build(TrainedDigitsGenerationTest.DIGITS, Safetensors.open(FIXTURE.resolve("dit.safetensors"))).save(dit);
        Path dec = TrainedDigitsGenerationTest.pixelShuffleDecoder(work.resolve("pixel-shuffle.onnx"));
        Path cal = TrainedDigitsGenerationTest.heldOut(work.resolve("cal"));

        // layer names of the digits DiT: x_embedder.proj, t_embedder.mlp.{0,2}, blocks.i.{attn.qkv,attn.proj,mlp.fc1,mlp.fc2,
        // adaLN_modulation.1}, final_layer.{adaLN_modulation.1,linear}
        Map<String, Int8Options.Builder> lists = new LinkedHashMap<>();
        lists.put("defaults: qkv, proj, fc1, fc2 int8; x/t embedders, adaLN, final layer, attention BMMs float", base());
        lists.put("defaults + adaLN modulation int8", base().defaultExclusions(false)
                .excludeLayers(List.of("x_embedder*", "t_embedder*", "final_layer.linear")));
        lists.put("defaults + timestep embedder int8", base().defaultExclusions(false)
                .excludeLayers(List.of("x_embedder*", "*adaLN*", "final_layer.linear")));
        lists.put("defaults + attention BMMs int8 (softmax output quantized)", base().quantizeAttention(true));
        lists.put("defaults + patch embedding and final linear int8 (first/last layers)", base().defaultExclusions(false)
                .excludeLayers(List.of("t_embedder*", "*adaLN*")));
        lists.put("defaults + fc2 float", base().excludeLayers(List.of("*mlp.fc2")));
        lists.put("defaults + block 0 float", base().excludeLayers(List.of("blocks.0.*")));
        lists.put("every weighted layer int8 (no exclusions)", base().defaultExclusions(false));
        lists.put("defaults, minmax calibrator", base().method(CalibrationMethod.MINMAX));
        lists.put("defaults, percentile calibrator", base().method(CalibrationMethod.PERCENTILE));
        lists.put("defaults, tensorrt profile (symmetric int8)", base().profile(QuantProfile.TENSORRT));
        if (!loopOnly) {
            System.out.printf(Locale.ROOT, "| float-keep list | int8 layers |%s min | final latents cos | rel RMS | max abs diff | time |%n",
                    String.join("", Arrays.stream(TIMESTEPS).mapToObj(t -> " t=" + t + " |").toList()));
        }
        int i = 0;
        for (Map.Entry<String, Int8Options.Builder> e : loopOnly ? Map.<String, Int8Options.Builder>of().entrySet() : lists.entrySet()) {
            long t0 = System.nanoTime();
            Bundle b = convert(dit, dec, cal, work.resolve("b" + i++), e.getValue().build(), -1, l -> { });
            Variant v = b.manifest().variant("int8-vanilla").orElseThrow();
            Map<String, Double> m = report(b, "int8-vanilla").metrics();
            StringBuilder row = new StringBuilder();
            for (long t : TIMESTEPS) {
                row.append(String.format(Locale.ROOT, " %.5f |", m.get("noiseCosine_t" + t)));
            }
            System.out.printf(Locale.ROOT, "| %s | %s |%s %.5f | %.5f | %.4f | %.3f | %.0f s |%n", e.getKey(),
                    v.attributes().get("quantizedLayers"), row, m.get("noiseCosineMin"), m.get("finalLatentCosine"),
                    m.get("finalLatentRelRms"), m.get("finalLatentMaxAbsDiff"), (System.nanoTime() - t0) / 1e9);
        }

        System.out.println();
        System.out.println("default conversion (--precision fp32,int8, --min-cosine 0.99, validation loop on):");
        List<String> log = new ArrayList<>();
        Bundle b = convert(dit, dec, cal, work.resolve("default"), Int8Options.builder().build(), PrecisionOptions.DEFAULT_MIN_COSINE,
                log::add);
        log.forEach(l -> System.out.println("convert: " + l));
        b.manifest().reports().stream().filter(x -> x.variant().equals("int8-vanilla"))
                .forEach(r -> r.notes().forEach(n -> System.out.println("note: " + n)));
        b.manifest().variant("int8-vanilla").ifPresent(v -> System.out.println("attributes: " + v.attributes()));

        // the validation loop (default budget: a quarter of the int8 layers) reaching floors the defaults miss; the last
        // one out of reach with every layer allowed, to see where the loop stops
        double[][] loops = {{0.999, -1}, {0.9999, -1}, {0.99999, 16}};
        for (double[] run : loops) {
            double floor = run[0];
            int budget = (int) run[1];
            System.out.println();
            System.out.printf(Locale.ROOT, "validation loop, --min-cosine %s%s:%n", floor, budget >= 0 ? ", --max-auto-exclude " + budget : "");
            List<String> loop = new ArrayList<>();
            Bundle lb = convert(dit, dec, cal, work.resolve("loop-" + floor), Int8Options.builder().maxAutoExclude(budget).build(), floor,
                    loop::add);
            loop.stream().filter(l -> !l.contains("calibration ") && !l.startsWith("variant fp32-decoder"))
                    .forEach(l -> System.out.println("convert: " + l));
            lb.manifest().variant("int8-vanilla").ifPresent(v -> System.out.println("attributes: " + v.attributes()));
            lb.manifest().variant("fp32-vanilla").ifPresent(v -> System.out.println("fp32-vanilla leftOut.int8: "
                    + v.attributes().get("leftOut.int8")));
        }

        if (loopOnly) {
            return;
        }
        System.out.println();
        float[] clf = TensorFiles.readNpy(FIXTURE.resolve("classifier.npy")).floats();
        int[] fp32 = digits(b.dir(), "fp32-vanilla", clf, perClass, threads);
        share("fp32-vanilla", fp32, fp32, perClass);
        if (b.manifest().variant("int8-vanilla").isEmpty()) {
            return;
        }
        int[] int8 = digits(b.dir(), "int8-vanilla", clf, perClass, threads);
        share("int8-vanilla", int8, fp32, perClass);

        System.out.println();
        for (int t : new int[] {1, threads}) {
            latency(b, t);
        }
    }

    private static Int8Options.Builder base() {
        return Int8Options.builder().maxAutoExclude(0);
    }

    private static Bundle convert(Path dit, Path dec, Path cal, Path out, Int8Options int8, double minCosine,
            java.util.function.Consumer<String> log) throws Exception {
        ConversionOptions o = ConversionOptions.builder().batch(1, 2, 8).precisions(List.of(Precision.FP32, Precision.INT8))
                .precision(PrecisionOptions.builder().calibrationDir(cal).int8(int8).minCosine(minCosine).build()).build();
        return new DiffusionConverter(log).convert(dit, dec, out, o, Map.of());
    }

    private static Report report(Bundle b, String id) {
        return b.manifest().reports().stream().filter(x -> x.variant().equals(id)).findFirst().orElseThrow();
    }

    /** Class predictions of {@code perClass} digits per class: DDIM 25 steps, guidance 4, every step on {@code variant}. */
    private static int[] digits(Path bundle, String variant, float[] clf, int perClass, int threads) throws Exception {
        int[] out = new int[10 * perClass];
        long t0 = System.nanoTime();
        try (ImageGenerator g = Jedge.loadGenerator(bundle, LoadOptions.builder().threads(threads).watchPower(false).variant(variant).build())) {
            for (int c = 0; c < 10; c++) {
                GenerationOptions o = g.options().classLabel(c).batchSize(perClass).steps(25).guidanceScale(4).seed(100 + c)
                        .scheduler(SchedulerKind.DDIM).elfattFraction(0).build();
                float[] z = g.generate(o, p -> { }).latents().floats();
                for (int i = 0; i < perClass; i++) {
                    out[c * perClass + i] = TrainedDigitsGenerationTest.classify(z, i, clf);
                }
            }
        }
        System.out.printf(Locale.ROOT, "generated with %s: %d digits in %.1f s%n", variant, out.length, (System.nanoTime() - t0) / 1e9);
        return out;
    }

    private static void share(String id, int[] p, int[] reference, int perClass) {
        int correct = 0;
        int agree = 0;
        for (int i = 0; i < p.length; i++) {
            correct += p[i] == i / perClass ? 1 : 0;
            agree += p[i] == reference[i] ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "digits %-13s %d generated: classified as their class %.1f%%, same class as fp32 %.1f%%%n", id,
                p.length, 100.0 * correct / p.length, 100.0 * agree / p.length);
    }

    /**
     * Denoiser latency at batch 2 (a class row and a null-class row, as guidance runs): 5 rounds alternating the two
     * variants, 100 timed calls each after 20 warm-up calls; the median of each round, and the median of those.
     */
    private static void latency(Bundle b, int threads) {
        float[] x = new float[2 * 4 * 32 * 32];
        new GaussianNoise(7).fill(x);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("latents", Tensor.ofFloats(new long[] {2, 4, 32, 32}, x));
        in.put("timesteps", Tensor.ofFloats(new long[] {2}, new float[] {500, 500}));
        in.put("class_labels", Tensor.ofLongs(new long[] {2}, new long[] {3, 10}));
        SessionOptions so = SessionOptions.builder().threads(threads).build();
        List<String> ids = List.of("fp32-vanilla", "int8-vanilla");
        Map<String, double[]> medians = new LinkedHashMap<>();
        try (InferenceSession fp32 = new OrtBackend().open(b.resolve(b.manifest().variant(ids.get(0)).orElseThrow()), so);
                InferenceSession int8 = new OrtBackend().open(b.resolve(b.manifest().variant(ids.get(1)).orElseThrow()), so)) {
            List<InferenceSession> sessions = List.of(fp32, int8);
            for (InferenceSession s : sessions) {
                for (int i = 0; i < 20; i++) {
                    s.run(in);
                }
            }
            for (String id : ids) {
                medians.put(id, new double[5]);
            }
            for (int round = 0; round < 5; round++) {
                for (int k = 0; k < 2; k++) {
                    int which = (round + k) % 2; // alternate which goes first
                    long[] ns = new long[100];
                    for (int i = 0; i < ns.length; i++) {
                        long t0 = System.nanoTime();
                        sessions.get(which).run(in);
                        ns[i] = System.nanoTime() - t0;
                    }
                    Arrays.sort(ns);
                    medians.get(ids.get(which))[round] = ns[50] / 1e6;
                }
            }
        }
        for (Map.Entry<String, double[]> e : medians.entrySet()) {
            double[] m = e.getValue().clone();
            Arrays.sort(m);
            System.out.printf(Locale.ROOT, "latency %-13s batch 2, %d thread(s), ORT CPU: round medians %s ms; median of rounds %.3f ms%n",
                    e.getKey(), threads, Arrays.toString(Arrays.stream(e.getValue()).map(v -> Math.round(v * 1000) / 1000.0).toArray()), m[2]);
        }
        double ratio = median(medians.get("fp32-vanilla")) / median(medians.get("int8-vanilla"));
        System.out.printf(Locale.ROOT, "latency fp32/int8 %d thread(s): %.2fx%n", threads, ratio);
    }

    private static double median(double[] v) {
        double[] m = v.clone();
        Arrays.sort(m);
        return m[m.length / 2];
    }
}
