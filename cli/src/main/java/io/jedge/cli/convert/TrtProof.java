package io.jedge.cli.convert;

import io.jedge.converters.attention.TensorRtReady;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.Fp16Converter;
import io.jedge.converters.precision.Fp16Options;
import io.jedge.runtime.backend.SeededInputs;
import io.jedge.sdk.AtomicFiles;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;

import com.google.gson.GsonBuilder;
import io.jedge.runtime.backend.trt.build.TrtBuildException;
import io.jedge.runtime.backend.trt.build.TrtBuildOptions;
import io.jedge.runtime.backend.trt.build.EnginePlan;
import io.jedge.runtime.backend.trt.build.TrtEngineBuilder;
import io.jedge.converters.compare.Metrics;
import io.jedge.converters.compare.SessionFactory;
import io.jedge.runtime.bench.LatencyBench;
import io.jedge.sdk.TensorFiles;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.runtime.backend.trt.EngineLayers;
import io.jedge.runtime.backend.trt.RunTiming;
import io.jedge.runtime.backend.trt.TrtBackend;
import io.jedge.runtime.backend.trt.TrtInferenceSession;
import io.jedge.runtime.backend.trt.TrtSessionOptions;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Fingerprint;
import io.jedge.sdk.bundle.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * End-to-end proof on a GPU machine: builds engines with {@link TrtEngineBuilder}, runs them with
 * {@link TrtBackend}, compares them with ONNX Runtime on the CPU (FP32 ONNX) and with a PyTorch
 * reference, and times them. Prints one {@code TRTPROOF_JSON {...}} line and writes the same
 * JSON to the output file. Accuracy figures are {@link Metrics}, as everywhere in jedge; the ONNX
 * Runtime reference runs in memory ({@link SessionFactory}).
 *
 * <pre>
 * java -cp ... io.jedge.cli.convert.TrtProof MODEL PRECISIONS BATCHES OUT.json [key=value ...]
 *   MODEL       an .onnx file, or a folder with model.onnx (+ input.f32, torch_output.f32 as in the
 *               shared torch-export fixtures)
 *   PRECISIONS  comma list: fp32, fp16, fp16io, int8. Engines are strongly typed, so each precision needs its
 *               own ONNX: "fp16" uses model_fp16.onnx beside model.onnx, "int8" model_int8.onnx (QDQ);
 *               "fp16:/path/x.onnx" names the file. A missing file is reported and skipped. "fp16io" converts
 *               the FP32 model (or the file named) to FP16 here, inputs and outputs included, so the engine's
 *               IO tensors are float16 and float32 feeds are staged through the runtime's conversion; the same
 *               FP16 model then runs on ONNX Runtime too (half_io_both_backends: its float32 outputs against the
 *               FP32 reference and the engine, runInto into float16 on both, and the line each gives for float32)
 *   BATCHES     comma list, e.g. 1,16; the profile is min(BATCHES):opt:max(BATCHES)
 *   keys        runs=50 warmup=10 workspace=4096 (MiB) tf32=true opt=max(BATCHES) level=3 contexts=1
 *               cache=FILE (timing cache) engines=DIR (where plans go; default a temp dir)
 *               io=heap|direct|both (the feeds' memory: heap arrays, or direct copies of them outside the session's
 *               pool; both: accuracy and timing for each, heap first; the accuracy of another than the first is
 *               accuracy_IO, and every timing names its io)
 *               input=NAME output=NAME (default: first input / first output)
 *               graphs=off|on|both (time with CUDA graphs; both: plain, then graphs as timing_cuda_graphs)
 *               detailed=true (keep kernel names in the plan: the engine's layers, written beside the plan as
 *               STEM_PRECISION.layers.json and summarised as engine_layers, then say which kernels run)
 * </pre>
 */
public final class TrtProof {
    private static final double FP32_REL_L2 = 1e-3;
    private static final double FP16_COSINE = 0.999;
    private static final double INT8_COSINE = 0.99;

    private TrtProof() {
    }

    /** What to prove, parsed and checked before any engine is built. */
    record Args(Path dir, Path fp32Model, List<Item> items, int[] batches, int runs, int warmup, TrtBuildOptions build,
            TrtSessionOptions session, boolean graphsToo, List<String> ios, Map<String, String> kv) {
        /** One precision and the ONNX its engine is built from. */
        record Item(String precision, Path onnx) {
        }

        static final Set<String> KEYS = Set.of("runs", "warmup", "workspace", "tf32", "opt", "level", "contexts", "cache", "engines",
                "input", "output", "detailed", "graphs", "io");

        static Args parse(Path modelArg, String precisionList, String batchList, Map<String, String> kv) {
            for (String k : kv.keySet()) {
                if (!KEYS.contains(k)) {
                    throw new IllegalArgumentException("unknown key '" + k + "', expected one of " + new java.util.TreeSet<>(KEYS));
                }
            }
            Path dir = Files.isDirectory(modelArg) ? modelArg : modelArg.toAbsolutePath().getParent();
            Path fp32Model = Files.isDirectory(modelArg) ? modelArg.resolve("model.onnx") : modelArg;
            int[] batches = Arrays.stream(batchList.split(",")).map(String::trim).mapToInt(b -> positive("BATCHES", b)).sorted().toArray();
            List<Item> items = new ArrayList<>();
            for (String item : precisionList.split(",")) {
                String p = item.trim();
                int colon = p.indexOf(':');
                String precision = (colon > 0 ? p.substring(0, colon) : p).toLowerCase(Locale.ROOT);
                items.add(new Item(precision, colon > 0 ? Path.of(p.substring(colon + 1)) : onnxFor(precision, dir, fp32Model)));
            }
            int max = batches[batches.length - 1];
            int opt = positive("opt", kv.getOrDefault("opt", Integer.toString(max)));
            TrtBuildOptions.Builder ob = TrtBuildOptions.builder()
                    .batch(batches[0], Math.max(batches[0], Math.min(opt, max)), max)
                    .workspaceMiB(positive("workspace", kv.getOrDefault("workspace", "4096")))
                    .tf32(bool("tf32", kv.getOrDefault("tf32", "true")))
                    .optimizationLevel(Integer.parseInt(kv.getOrDefault("level", "3")))
                    .detailedLayers(bool("detailed", kv.getOrDefault("detailed", "false")));
            if (kv.containsKey("cache")) {
                ob.timingCache(Path.of(kv.get("cache")));
            }
            List<String> ios = ios(kv);
            String graphs = kv.getOrDefault("graphs", "off").trim().toLowerCase(Locale.ROOT);
            if (!Set.of("off", "on", "both").contains(graphs)) {
                throw new IllegalArgumentException("graphs '" + kv.get("graphs") + "', expected off, on or both");
            }
            if (!graphs.equals("off") && batches.length > 1) {
                // a CUDA graph replays one fixed shape: the engine would be built and then refuse to open
                throw new IllegalArgumentException("graphs=" + graphs + " needs one batch (CUDA graphs replay a fixed shape), got BATCHES "
                        + batchList);
            }
            TrtSessionOptions session = TrtSessionOptions.builder().maxContexts(positive("contexts", kv.getOrDefault("contexts", "1")))
                    .cudaGraphs(graphs.equals("on")).build();
            return new Args(dir, fp32Model, items, batches, positive("runs", kv.getOrDefault("runs", "50")),
                    Integer.parseInt(kv.getOrDefault("warmup", "10")), ob.build(), session, graphs.equals("both"), ios, kv);
        }

        private static boolean bool(String what, String v) {
            return switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException(what + " '" + v + "', expected true or false");
            };
        }

        private static int positive(String what, String v) {
            int n = v.trim().matches("\\d{1,9}") ? Integer.parseInt(v.trim()) : 0;
            if (n < 1) {
                throw new IllegalArgumentException(what + " '" + v + "', expected a whole number, 1 or more");
            }
            return n;
        }

        /** The feeds' memory kinds, in the order they are proven: heap, direct or both. */
        static List<String> ios(Map<String, String> kv) {
            return switch (kv.getOrDefault("io", "heap").trim().toLowerCase(Locale.ROOT)) {
                case "heap" -> List.of("heap");
                case "direct" -> List.of("direct");
                case "both" -> List.of("heap", "direct");
                default -> throw new IllegalArgumentException("io '" + kv.get("io") + "', expected heap, direct or both");
            };
        }

        int maxBatch() {
            return batches[batches.length - 1];
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: TrtProof MODEL PRECISIONS BATCHES OUT.json [runs=50 warmup=10 workspace=4096 tf32=true "
                    + "opt=N level=3 contexts=1 cache=FILE engines=DIR input=NAME output=NAME detailed=false graphs=off]");
            System.exit(2);
        }
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("argument '" + args[i] + "': expected key=value");
                System.exit(2);
            }
            kv.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Args parsed;
        try {
            parsed = Args.parse(Path.of(args[0]), args[1], args[2], kv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Map<String, Object> result = run(parsed, args[1], args[2]);
        String json = new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping().create().toJson(result);
        System.out.println("TRTPROOF_JSON " + json);
        AtomicFiles.writeString(Path.of(args[3]), json + "\n");
    }

    static Map<String, Object> run(Args a, String precisionList, String batchList) throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("date", Instant.now().toString());
        r.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        r.put("model", a.fp32Model().toString());
        r.put("args", Map.of("precisions", precisionList, "batches", batchList, "options", a.kv()));

        TrtBackend backend = new TrtBackend();
        Optional<String> why = TrtEngineBuilder.unavailableReason();
        if (why.isPresent()) {
            r.put("error", why.get());
            return r;
        }
        r.put("platform", backend.platform(0));
        Path engines = a.kv().containsKey("engines") ? Path.of(a.kv().get("engines")) : Files.createTempDirectory("jedge-trt-proof");
        Files.createDirectories(engines);

        float[] sample = readF32(a.dir().resolve("input.f32"));
        float[] torchRef = readF32(a.dir().resolve("torch_output.f32"));
        Map<String, Object> ortInfo = new LinkedHashMap<>();
        // with a sample every row of a batch is that sample, checked against one reference row; without one the rows are
        // different seeded inputs, so the reference runs the very feed the engine gets, at the profile's smallest batch
        float[] ortRef = ortReference(a.fp32Model(), sample, a.kv(), ortInfo, sample != null ? 1 : a.batches()[0]);
        r.put("ort_cpu", ortInfo);
        if (torchRef != null && ortRef != null) {
            r.put("ort_vs_torch", compare(ortRef, torchRef));
        }

        List<Object> engineResults = new ArrayList<>();
        for (Args.Item item : a.items()) {
            Map<String, Object> er = new LinkedHashMap<>();
            er.put("precision", item.precision());
            er.put("onnx", item.onnx().toString());
            engineResults.add(er);
            if (!Files.isRegularFile(item.onnx())) {
                er.put("skipped", "no " + item.onnx().getFileName() + " (strongly typed engines take their precision from the ONNX;"
                        + " make it with the precision converter)");
                continue;
            }
            try {
                proveOne(a, item, engines, sample, ortRef, torchRef, backend, er);
            } catch (RuntimeException e) {
                er.put("error", e.toString());
                if (e instanceof TrtBuildException b) {
                    er.put("details", b.details());
                }
                e.printStackTrace();
            }
        }
        r.put("engines", engineResults);
        return r;
    }

    /** Builds, checks, compares and times one engine; records everything in {@code er}. */
    private static void proveOne(Args a, Args.Item item, Path engines, float[] sample, float[] ortRef, float[] torchRef,
            TrtBackend backend, Map<String, Object> er) throws IOException {
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("used_mib_before_build", usedMiB());
        EnginePlan engine = build(a, item, er);
        mem.put("used_mib_after_build", usedMiB());
        String stem = item.onnx().getFileName().toString().replaceFirst("\\.onnx$", "");
        Path plan = engines.resolve(stem + "_" + item.precision() + ".plan");
        engine.write(plan);
        er.put("plan", plan.toString());
        er.put("mismatch_check", mismatchCheck(backend, plan, engine.fingerprint()));

        long t0 = System.nanoTime();
        try (TrtInferenceSession s = backend.openEngine(plan, engine.fingerprint(), a.session())) {
            er.put("open_s", (System.nanoTime() - t0) / 1e9);
            mem.put("used_mib_after_open", usedMiB());
            mem.put("context_activation_mib", s.contextMemoryBytes() / (1024.0 * 1024.0));
            er.put("zero_copy", s.zeroCopy());
            if (a.build().detailedLayers()) {
                er.put("engine_layers", engineLayers(s, engines.resolve(stem + "_" + item.precision() + ".layers.json")));
            }
            String inName = a.kv().getOrDefault("input", s.inputs().get(0).name());
            String outName = a.kv().getOrDefault("output", s.outputs().get(0).name());
            int accBatch = sample != null ? a.maxBatch() : a.batches()[0];
            er.put("engine_inputs", s.inputs().stream().map(t -> t.name() + ":" + t.dataType()).toList());
            er.put("engine_outputs", s.outputs().stream().map(t -> t.name() + ":" + t.dataType()).toList());
            List<String> ios = a.ios();
            List<Object> timings = new ArrayList<>();
            for (String io : ios) {
                float[] out = s.run(in(io, inputs(s.inputs(), inName, sample, accBatch)), Set.of(outName)).get(outName).floats();
                Map<String, Object> acc = accuracy(item.precision(), out, sample != null ? accBatch : 1, ortRef, torchRef);
                acc.put("io", io);
                er.put(io.equals(ios.get(0)) ? "accuracy" : "accuracy_" + io, acc);
            }
            for (int b : a.batches()) {
                for (String io : ios) {
                    Map<String, Object> tm = timing(s, in(io, inputs(s.inputs(), inName, sample, b)), outName, a,
                            item.precision() + " " + io);
                    tm.put("io", io);
                    timings.add(tm);
                }
            }
            er.put("timing", timings);
            if (item.precision().equals("fp16io")) {
                er.put("half_io_both_backends", halfIoOnBothBackends(s, item, inName, outName, inputs(s.inputs(), inName, sample,
                        accBatch), sample != null ? accBatch : 1, ortRef, torchRef));
            }
            mem.put("used_mib_after_runs", usedMiB());
        }
        if (a.graphsToo()) {
            // the same plan replayed as captured CUDA graphs, timed in this run so the two are comparable
            TrtSessionOptions graphs = TrtSessionOptions.builder().maxContexts(a.session().maxContexts()).cudaGraphs(true).build();
            try (TrtInferenceSession s = backend.openEngine(plan, engine.fingerprint(), graphs)) {
                String inName = a.kv().getOrDefault("input", s.inputs().get(0).name());
                String outName = a.kv().getOrDefault("output", s.outputs().get(0).name());
                List<Object> timings = new ArrayList<>();
                for (int b : a.batches()) {
                    for (String io : a.ios()) {
                        Map<String, Object> tm = timing(s, in(io, inputs(s.inputs(), inName, sample, b)), outName, a,
                                item.precision() + " " + io + " graphs");
                        tm.put("io", io);
                        timings.add(tm);
                    }
                }
                er.put("timing_cuda_graphs", timings);
            }
        }
        mem.put("used_mib_after_close", usedMiB());
        er.put("gpu_memory", mem);
    }

    /**
     * The float16-IO model on both backends, as an app runs it: ONNX Runtime on the same FP16 model (the converter with IO
     * kept FP16) fed the same float32 heap and direct tensors, against the FP32 reference and against the engine; runInto
     * into a float16 tensor against run() on each; and the line each gives for a float32 runInto tensor, which must be
     * the same. A diagnostic: a failure is recorded, not thrown.
     */
    private static Map<String, Object> halfIoOnBothBackends(TrtInferenceSession trt, Args.Item item, String inName, String outName,
            Map<String, Tensor> heap, int rows, float[] ortRef, float[] torchRef) {
        Map<String, Object> r = new LinkedHashMap<>();
        OnnxModel half = Fp16Converter.convert(OnnxModel.load(item.onnx()), Fp16Options.builder().keepIoFp32(false).build()).model();
        try (InferenceSession ort = new OrtBackend().open(half.toBytes(), "the fp16io model", SessionOptions.defaults())) {
            r.put("ort_inputs", ort.inputs().stream().map(t -> t.name() + ":" + t.dataType()).toList());
            r.put("ort_outputs", ort.outputs().stream().map(t -> t.name() + ":" + t.dataType()).toList());
            Tensor trtOut = null;
            for (String io : List.of("heap", "direct")) {
                Map<String, Tensor> feeds = in(io, heap);
                Tensor o = ort.run(feeds, Set.of(outName)).get(outName);
                Tensor t = trt.run(feeds, Set.of(outName)).get(outName);
                trtOut = t;
                Map<String, Object> acc = accuracy("fp16io", o.floats(), rows, ortRef, torchRef);
                acc.put("run_type", o.type().specName() + " (TensorRT: " + t.type().specName() + ")");
                acc.put("vs_tensorrt", compare(o.floats(), t.floats()));
                r.put("ort_" + io, acc);
            }
            long[] shape = trtOut.shape();
            Map<String, Object> into = new LinkedHashMap<>();
            for (InferenceSession s : List.of(ort, trt)) {
                Tensor h = s.allocate(io.jedge.sdk.DataType.FLOAT16, shape);
                s.runInto(heap, Map.of(outName, h));
                float[] got = new float[h.elementCount()];
                for (int i = 0; i < got.length; i++) {
                    got[i] = io.jedge.runtime.backend.Float16.toFloat(h.buffer().getShort(i * 2));
                }
                s.release(h);
                into.put(s.backendName() + "_runinto_vs_run", compare(got, s.run(heap, Set.of(outName)).get(outName).floats()));
                Tensor wide = s.allocate(io.jedge.sdk.DataType.FLOAT32, shape);
                try {
                    s.runInto(heap, Map.of(outName, wide));
                    into.put(s.backendName() + "_float32_runinto", "accepted");
                } catch (IllegalArgumentException e) {
                    into.put(s.backendName() + "_float32_runinto", e.getMessage());
                } finally {
                    s.release(wide);
                }
            }
            into.put("same_refusal", into.get(OrtBackend.NAME + "_float32_runinto").equals(into.get(TrtBackend.NAME + "_float32_runinto")));
            r.put("run_into", into);
        } catch (RuntimeException e) {
            r.put("error", e.toString());
        }
        return r;
    }

    /** The feeds in {@code io} memory: as they are (heap), or copied into direct memory outside any pool. */
    static Map<String, Tensor> in(String io, Map<String, Tensor> heap) {
        if (io.equals("heap")) {
            return heap;
        }
        Map<String, Tensor> direct = new LinkedHashMap<>();
        heap.forEach((k, v) -> direct.put(k, v.toDirect()));
        return direct;
    }

    /**
     * What the engine runs ({@link EngineLayers}), with TensorRT's JSON written to {@code file}. A diagnostic: when the
     * inspector fails the proof goes on and the reason is recorded.
     */
    private static Map<String, Object> engineLayers(TrtInferenceSession s, Path file) {
        try {
            String info = s.layerInformation();
            AtomicFiles.writeString(file, info);
            EngineLayers layers = EngineLayers.parse(info);
            Map<String, Object> summary = new LinkedHashMap<>(layers.summary());
            summary.put("fused_attention", layers.fusedAttention().stream().limit(4).toList());
            summary.put("file", file.toString());
            return summary;
        } catch (JedgeException | IllegalArgumentException | IOException e) {
            return Map.of("error", String.valueOf(e.getMessage()));
        }
    }

    /** Builds from the graph a convert builds from ({@link TensorRtReady}), so the proof measures what ships. */
    private static EnginePlan build(Args a, Args.Item item, Map<String, Object> er) throws IOException {
        TrtBuildOptions options = a.build();
        OnnxModel model = OnnxModel.load(item.onnx());
        boolean halfIo = item.precision().equals("fp16io");
        if (halfIo) { // the converter a convert uses, with float16 inputs and outputs: the runtime converts at the boundary
            model = Fp16Converter.convert(model, Fp16Options.builder().keepIoFp32(false).build()).model();
        }
        TensorRtReady.Result ready = TensorRtReady.prepare(model);
        if (!ready.ready()) {
            throw new IllegalArgumentException(item.onnx().getFileName() + ": " + ready.whyNot());
        }
        er.put("tensorrt_ready", Map.of("lowered", ready.lowered().size(), "scales_folded", ready.folded().size()));
        Path source = item.onnx();
        Path prepared = null;
        if (ready.changed() || halfIo) {
            prepared = Files.createTempFile(item.onnx().toAbsolutePath().getParent(), ".trtproof", ".onnx");
            model.save(prepared);
            source = prepared;
        }
        EnginePlan engine;
        try {
            engine = new TrtEngineBuilder(options).onProgress(System.err::println).build(source);
        } finally {
            if (prepared != null) {
                Files.deleteIfExists(prepared);
            }
        }
        er.put("build_options", options.asFingerprintOptions());
        er.put("parse_s", engine.parseTime().toMillis() / 1000.0);
        er.put("build_s", engine.buildTime().toMillis() / 1000.0);
        er.put("engine_bytes", engine.plan().length);
        er.put("layers", engine.layers());
        er.put("network_inputs", engine.inputs());
        er.put("network_outputs", engine.outputs());
        er.put("timing_cache_hit", engine.timingCacheHit());
        er.put("fingerprint", engine.fingerprint());
        return engine;
    }

    /** Each row of the engine's output at the largest batch against the ONNX Runtime and torch outputs of the sample. */
    static Map<String, Object> accuracy(String precision, float[] out, int rows, float[] ortRef, float[] torchRef) {
        int row = out.length / rows;
        Map<String, Object> acc = new LinkedHashMap<>();
        acc.put("rows", rows);
        if (ortRef != null && ortRef.length == row) {
            Map<String, Object> vsOrt = compareRows(out, ortRef, rows);
            acc.put("vs_ort_fp32", vsOrt);
            acc.put("tolerance", tolerance(precision));
            acc.put("pass", passes(precision, vsOrt));
        }
        if (torchRef != null && torchRef.length == row) {
            acc.put("vs_torch", compareRows(out, torchRef, rows));
        }
        return acc;
    }

    private static Map<String, Object> timing(TrtInferenceSession s, Map<String, Tensor> in, String outName, Args a, String precision) {
        int b = (int) in.values().iterator().next().dim(0);
        for (int i = 0; i < a.warmup(); i++) {
            s.run(in, Set.of(outName));
        }
        int runs = a.runs();
        double[] wall = new double[runs];
        double[] gpu = new double[runs];
        double[] compute = new double[runs];
        double[] copies = new double[runs];
        for (int i = 0; i < runs; i++) {
            long w = System.nanoTime();
            s.run(in, Set.of(outName));
            wall[i] = (System.nanoTime() - w) / 1e6;
            RunTiming t = s.lastTiming().orElseThrow();
            gpu[i] = t.gpuMillis();
            compute[i] = t.computeMillis();
            copies[i] = t.h2dMillis() + t.d2hMillis();
        }
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("batch", b);
        tm.put("runs", runs);
        tm.put("wall_ms_p50", percentile(wall, 50));
        tm.put("wall_ms_p95", percentile(wall, 95));
        tm.put("gpu_ms_p50", percentile(gpu, 50));
        tm.put("compute_ms_p50", percentile(compute, 50));
        tm.put("copy_ms_p50", percentile(copies, 50));
        tm.put("throughput_per_s", b * 1000.0 / Arrays.stream(wall).average().orElse(Double.NaN));
        double p50w = percentile(wall, 50);
        tm.put("java_overhead_pct", 100.0 * (p50w - percentile(gpu, 50)) / p50w);
        System.err.printf(Locale.ROOT, "%s batch %d: wall p50 %.3f ms, p95 %.3f ms, gpu p50 %.3f ms%n", precision, b,
                p50w, percentile(wall, 95), percentile(gpu, 50));
        return tm;
    }

    /** Opens the plan with a fingerprint from another platform: it must be refused before deserializing. */
    private static Map<String, Object> mismatchCheck(TrtBackend backend, Path plan, Fingerprint real) {
        Fingerprint other = new Fingerprint("10.3.0", "Orin", "8.7", real.cuda(), "36.4.3", "6.2", Map.of());
        Map<String, Object> m = new LinkedHashMap<>();
        try (InferenceSession s = backend.openEngine(plan, other, TrtSessionOptions.defaults())) {
            m.put("refused", false);
        } catch (JedgeException e) {
            m.put("refused", e.code() == JedgeException.Code.ENGINE_MISMATCH);
            m.put("message", e.getMessage());
        }
        return m;
    }

    private static Path onnxFor(String precision, Path dir, Path fp32Model) {
        String stem = fp32Model.getFileName().toString().replaceFirst("\\.onnx$", "");
        return switch (precision) {
            case "fp32" -> fp32Model;
            case "fp16", "int8" -> dir.resolve(stem + "_" + precision + ".onnx");
            case "fp16io" -> fp32Model;
            default -> throw new IllegalArgumentException("precision '" + precision + "', expected fp32, fp16, fp16io, int8 or NAME:FILE");
        };
    }

    private static float[] ortReference(Path model, float[] sample, Map<String, String> kv, Map<String, Object> info, int batch) {
        try {
            OrtBackend ort = new OrtBackend();
            Optional<String> why = ort.unavailableReason();
            if (why.isPresent()) {
                info.put("skipped", why.get());
                return null;
            }
            try (InferenceSession s = SessionFactory.onnxRuntime(SessionOptions.defaults()).open(model, null, "ONNX Runtime reference")) {
                String inName = kv.getOrDefault("input", s.inputs().get(0).name());
                String outName = kv.getOrDefault("output", s.outputs().get(0).name());
                long t = System.nanoTime();
                float[] out = s.run(inputs(s.inputs(), inName, sample, batch), Set.of(outName)).get(outName).floats();
                info.put("batch", batch);
                info.put("run_ms", (System.nanoTime() - t) / 1e6);
                info.put("output", outName);
                return out;
            }
        } catch (Throwable t) { // the ORT jar may be left out of a small GPU upload
            info.put("skipped", t.toString());
            return null;
        }
    }

    /** Every input at batch {@code b}: the sample tiled for {@code sampleInput}, the runtime's seeded fill otherwise. */
    static Map<String, Tensor> inputs(List<TensorSpec> specs, String sampleInput, float[] sample, int b) {
        Map<String, Tensor> feeds = new LinkedHashMap<>(SeededInputs.feed(specs, b, 42));
        Tensor t = feeds.get(sampleInput);
        if (t != null && t.type() == io.jedge.sdk.DataType.FLOAT32 && sample != null && t.elementCount() % sample.length == 0) {
            float[] data = new float[Math.toIntExact(t.elementCount())];
            for (int off = 0; off < data.length; off += sample.length) {
                System.arraycopy(sample, 0, data, off, sample.length);
            }
            feeds.put(sampleInput, Tensor.ofFloats(t.shape(), data));
        }
        return feeds;
    }

    /** Each of {@code rows} rows of {@code out} against the one reference row {@code ref}: the worst row's figures. */
    static Map<String, Object> compareRows(float[] out, float[] ref, int rows) {
        int n = ref.length;
        double worstCos = 1;
        double worstRel = 0;
        double maxAbs = 0;
        int top1 = 0;
        for (int r = 0; r < rows; r++) {
            Metrics m = Metrics.ofRows(ref, Arrays.copyOfRange(out, r * n, (r + 1) * n), n);
            worstCos = Math.min(worstCos, m.cosine());
            worstRel = Math.max(worstRel, m.relativeL2());
            maxAbs = Math.max(maxAbs, m.maxAbsError());
            top1 += m.top1Agreement().getAsDouble() == 1 ? 1 : 0;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min_cosine", worstCos);
        m.put("max_rel_l2", worstRel);
        m.put("max_abs", maxAbs);
        m.put("top1_agree", top1 + "/" + rows);
        return m;
    }

    /** Output {@code a} against reference {@code b}, with the metrics every comparison in jedge uses. */
    static Map<String, Object> compare(float[] a, float[] b) {
        Metrics c = Metrics.of(b, a);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cosine", c.cosine());
        m.put("rel_l2", c.relativeL2());
        m.put("max_abs", c.maxAbsError());
        return m;
    }

    private static String tolerance(String precision) {
        return switch (precision) {
            case "fp32" -> "rel_l2 <= " + FP32_REL_L2;
            case "fp16", "fp16io" -> "cosine >= " + FP16_COSINE;
            default -> "cosine >= " + INT8_COSINE;
        };
    }

    private static boolean passes(String precision, Map<String, Object> vsOrt) {
        return switch (precision) {
            case "fp32" -> (double) vsOrt.get("max_rel_l2") <= FP32_REL_L2;
            case "fp16", "fp16io" -> (double) vsOrt.get("min_cosine") >= FP16_COSINE;
            default -> (double) vsOrt.get("min_cosine") >= INT8_COSINE;
        };
    }

    static double percentile(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return LatencyBench.percentile(s, p);
    }

    private static double usedMiB() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            cudaSetDevice(0);
            if (cudaMemGetInfo(free, total) != 0) {
                return Double.NaN;
            }
            return (total.get() - free.get()) / (1024.0 * 1024.0);
        }
    }

    private static float[] readF32(Path file) {
        return Files.isRegularFile(file) ? TensorFiles.readF32(file, new long[0]).floats() : null;
    }
}
