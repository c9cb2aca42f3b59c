package io.jedge.converters.attention;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.OnnxModel;
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
 * {@code profile=DIR} also writes ONNX Runtime's profile and optimised model to DIR for {@link LiveSet}.
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
            System.err.println("usage: ElfattMemory IMAGE_SIZE MODEL default|shrink|noarena|nopattern[,profile=DIR]");
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
        OnnxModel m = VitBuilder.build(new VitConfig(size, 16, 192, 12, 6, 4, 1000), new SeededWeights(7), e);
        Path f = Files.createTempFile("elfatt-memory", ".onnx");
        m.save(f);
        String profileDir = opts.stream().filter(o -> o.startsWith("profile=")).map(o -> o.substring(8)).findFirst().orElse(null);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = RandomWeights.input(2, 1, 3 * size, size);
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
                    OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, size, size})) {
                init = (status("VmHWM") - base) / 1024.0;
                s.run(Map.of("pixels", in), ro).close();
                first = (status("VmHWM") - base) / 1024.0;
                for (int i = 1; i < RUNS; i++) {
                    s.run(Map.of("pixels", in), ro).close();
                }
                if (profileDir != null) {
                    System.out.println("profile " + s.endProfiling());
                }
            }
        } finally {
            Files.delete(f);
        }
        System.out.printf(Locale.ROOT, "%d px %-14s %-20s nodes %4d  peak RSS growth MiB: session %.0f, first run %.0f, %d runs %.0f%n", size,
                model, a[2], m.graph().nodes().size(), init, first, RUNS, (status("VmHWM") - base) / 1024.0);
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
