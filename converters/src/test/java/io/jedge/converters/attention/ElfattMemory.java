package io.jedge.converters.attention;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Peak memory of one whole ViT (the {@link ElfattBenchmark} model) on ONNX Runtime CPU, one model
 * per process so that no earlier session's arena or heap is counted: peak RSS growth (VmHWM after
 * {@code /proc/self/clear_refs}) at session creation, over the first run, and over all runs, under
 * ONNX Runtime's allocator options:
 * <ul>
 *   <li>{@code default}: CPU arena and memory pattern on (what {@code OrtBackend} uses);
 *   <li>{@code shrink}: run option {@code memory.enable_memory_arena_shrinkage=cpu:0}, which hands
 *       the arena's free regions back after each run;
 *   <li>{@code noarena}, {@code nopattern}: the arena or the memory pattern off.
 * </ul>
 * {@code profile=DIR} also writes ONNX Runtime's profile and optimised model to DIR for {@link LiveSet};
 * {@code layers=N} measures N attention layers alone (residual adds, no norms or MLP) at the same token
 * count instead of the whole ViT, to see what the attention itself holds.
 *
 * <pre>
 * MALLOC_MMAP_THRESHOLD_=65536 java -Xms512m -Xmx512m -XX:+AlwaysPreTouch -cp CP io.jedge.converters.attention.ElfattMemory 1024 elfatt default
 * </pre>
 * Arguments: image size, model (vanilla-dec, vanilla-mha, vanilla-att23, elfatt, elfatt-nolepe, linear-only: split 1:0 without
 * LePE), options (comma-separated).
 */
public final class ElfattMemory {
    private static final int RUNS = 2;

    private ElfattMemory() {
    }

    public static void main(String[] a) throws IOException, OrtException {
        if (a.length != 3) {
            System.err.println("usage: ElfattMemory IMAGE_SIZE MODEL default|shrink|noarena|nopattern[,profile=DIR][,layers=N]");
            System.exit(2);
        }
        int size = Integer.parseInt(a[0]);
        String model = a[1];
        List<String> opts = List.of(a[2].split(","));
        int grid = size / 16;
        ElfattOptions eo = ElfattOptions.builder().blocks(BlockLayout.windows(ElfattBenchmark.window(grid))).build();
        AttentionEmitter e = switch (model) {
            case "vanilla-dec" -> new VanillaAttention();
            case "vanilla-mha" -> new FusedAttention(AttentionForm.CONTRIB_MHA);
            case "vanilla-att23" -> new FusedAttention(AttentionForm.ONNX_ATTENTION);
            case "elfatt" -> new ElfattAttention(eo);
            case "elfatt-nolepe" -> new ElfattAttention(eo.toBuilder().lepe(false).build());
            // every head linear, no LePE, no windows: the least any ELFATT layer can hold
            case "linear-only" -> new ElfattAttention(eo.toBuilder().split(1, 0).lepe(false).build());
            default -> throw new IllegalArgumentException("model " + model + ", expected vanilla-dec|vanilla-mha|vanilla-att23|elfatt|elfatt-nolepe|linear-only");
        };
        int layers = opts.stream().filter(o -> o.startsWith("layers=")).mapToInt(o -> Integer.parseInt(o.substring(7))).findFirst().orElse(0);
        OnnxModel m = layers == 0 ? VitBuilder.build(new VitConfig(size, 16, 192, 12, 6, 4, 1000), new SeededWeights(7), e)
                : attentionOnly(e, new TokenLayout(1, grid, grid, 192, 6), layers);
        String input = layers == 0 ? "pixels" : "x";
        long[] shape = layers == 0 ? new long[] {1, 3, size, size} : new long[] {1, grid * grid + 1, 192};
        Path f = Files.createTempFile("elfatt-memory", ".onnx");
        m.save(f);
        String profileDir = opts.stream().filter(o -> o.startsWith("profile=")).map(o -> o.substring(8)).findFirst().orElse(null);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = layers == 0 ? RandomWeights.input(2, 1, 3 * size, size) : RandomWeights.input(2, 1, grid * grid + 1, 192);
        long base = status("VmRSS");
        resetPeak();
        double init;
        double first;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions(); OrtSession.RunOptions ro = new OrtSession.RunOptions()) {
            so.setIntraOpNumThreads(2);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setCPUArenaAllocator(!opts.contains("noarena"));
            so.setMemoryPatternOptimization(!opts.contains("nopattern"));
            if (opts.contains("shrink")) {
                ro.addRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
            }
            if (profileDir != null) {
                so.enableProfiling(profileDir + "/prof-" + model + "-" + size);
                so.setOptimizedModelFilePath(profileDir + "/opt-" + model + "-" + size + ".onnx");
            }
            try (OrtSession s = env.createSession(f.toString(), so);
                    OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape)) {
                init = (status("VmHWM") - base) / 1024.0;
                s.run(Map.of(input, in), ro).close();
                first = (status("VmHWM") - base) / 1024.0;
                for (int i = 1; i < RUNS; i++) {
                    s.run(Map.of(input, in), ro).close();
                }
                if (profileDir != null) {
                    System.out.println("profile " + s.endProfiling());
                }
            }
        } finally {
            Files.delete(f);
        }
        System.out.printf(Locale.ROOT, "%d px %-14s %-28s nodes %4d  peak RSS growth MiB: session %.0f, first run %.0f, %d runs %.0f%n", size,
                model, a[2], m.graph().nodes().size(), init, first, RUNS, (status("VmHWM") - base) / 1024.0);
    }

    /** {@code layers} attention layers alone with residual adds (no norms, no MLP): input {@code x} [1,T,C]. */
    private static OnnxModel attentionOnly(AttentionEmitter e, TokenLayout l, int layers) {
        Graph g = new Graph("attention-only", null);
        GraphBuilder b = new GraphBuilder(g);
        String y = b.input("x", TensorData.FLOAT, new long[] {-1, l.tokens(), l.dim()}, "batch");
        RandomWeights w = new RandomWeights(1, 0.1);
        for (int i = 0; i < layers; i++) {
            b.scope("blocks." + i);
            y = b.add(y, e.emit(b, y, "blocks." + i + ".attn", w, l));
        }
        b.output(y, "y", TensorData.FLOAT, new long[] {-1, l.tokens(), l.dim()}, "batch");
        Map<String, Long> opsets = new java.util.LinkedHashMap<>();
        opsets.put("", 17L);
        e.opsets().forEach((k, v) -> opsets.merge(k, v, Math::max));
        return new OnnxModel(8, opsets, g);
    }

    private static void resetPeak() throws IOException {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    }

    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("/proc/self/status has no " + field + " (Linux only)");
    }
}
