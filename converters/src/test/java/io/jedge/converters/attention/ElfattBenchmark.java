package io.jedge.converters.attention;

import ai.onnxruntime.OrtEnvironment;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ELFATT against the best vanilla attention form on ONNX Runtime CPU, FP32: one attention layer
 * alone and a whole ViT (dim 192, depth 12, 6 heads of 32 — ViT-Tiny width with CSWin-T's head
 * size, so the 1:1 split is exact), patch 16 at 224/384/512/768/1024 px (197..4097 tokens with
 * the class token), batch 1 and 8. Vanilla is timed in every form (decomposed,
 * {@code com.microsoft::MultiHeadAttention}, {@code Attention}-23) and the fastest per size is
 * used for the whole model. ELFATT: split 1:1, LePE on, local windows chosen per grid so that no
 * padding is needed (14→14, 24→12, 32/48/64→16), plus one padded 14×14 row at 4096 tokens.
 *
 * <p>Latency: p50 of 5 runs after 1 warm-up run, 2 intra-op threads. Memory: peak resident set
 * growth of this process from just before the session is created to the end of the runs (Linux
 * VmHWM after resetting it through {@code /proc/self/clear_refs}): weights as ONNX Runtime holds
 * them plus its arena and workspace peak.
 *
 * <p>Run (from the repository root; builds nothing else):
 * <pre>
 * mvn -q -o -pl converters -am test-compile
 * MALLOC_MMAP_THRESHOLD_=65536 java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp converters/target/test-classes:converters/target/classes:\
 * jetson-runtime/target/classes:sdk/target/classes:$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.23.2/onnxruntime-1.23.2.jar:\
 * $HOME/.m2/repository/org/tribuo/tribuo-util-onnx/4.3.2/tribuo-util-onnx-4.3.2.jar:$HOME/.m2/repository/com/google/protobuf/protobuf-java/3.25.6/protobuf-java-3.25.6.jar:\
 * $HOME/.m2/repository/com/google/code/gson/gson/2.13.2/gson-2.13.2.jar:$HOME/.m2/repository/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar \
 * io.jedge.converters.attention.ElfattBenchmark benchmarks/elfatt-cpu-$(date +%F).md
 * </pre>
 * {@code -Delfatt.bench.sizes=224} limits the image sizes for a quick smoke run.
 * {@code MALLOC_MMAP_THRESHOLD_} keeps glibc returning large freed blocks to the OS between
 * sessions, so each configuration's peak is measured from a clean baseline.
 */
public final class ElfattBenchmark {
    private static final int DIM = 192;
    private static final int DEPTH = 12;
    private static final int HEADS = 6;
    private static final int THREADS = 2;
    private static final int RUNS = 5;
    private static final int[] SIZES = {224, 384, 512, 768, 1024};
    /** Batch 8 is skipped from this grid side on (whole model) / above it (layer alone), to keep the run under ~10 minutes. */
    private static final int WHOLE_BATCH8_MAX_GRID = 32;
    private static final int LAYER_BATCH8_MAX_GRID = 48;

    private record Result(double p50Ms, double peakMiB) {
        String ms() {
            return String.format(Locale.ROOT, "%.1f", p50Ms);
        }

        String mem() {
            return String.format(Locale.ROOT, "%.0f", peakMiB);
        }
    }

    private final Path dir;
    private final OrtBackend backend = new OrtBackend();

    private ElfattBenchmark(Path dir) {
        this.dir = dir;
    }

    static int window(int grid) {
        return switch (grid) {
            case 14 -> 14;
            case 24 -> 12;
            default -> 16;
        };
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ElfattBenchmark OUTPUT.md");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Path dir = Files.createTempDirectory("elfatt-bench");
        ElfattBenchmark b = new ElfattBenchmark(dir);
        long start = System.nanoTime();
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        StringBuilder layerRows = new StringBuilder();
        StringBuilder modelRows = new StringBuilder();
        SeededWeights w = new SeededWeights(7);
        int[] sizes = System.getProperty("elfatt.bench.sizes") == null ? SIZES
                : Arrays.stream(System.getProperty("elfatt.bench.sizes").split(",")).mapToInt(Integer::parseInt).toArray();
        for (int size : sizes) {
            int grid = size / 16;
            int tokens = grid * grid + 1;
            for (int batch : new int[] {1, 8}) {
                if (batch == 8 && grid > LAYER_BATCH8_MAX_GRID) {
                    continue;
                }
                TokenLayout l = new TokenLayout(1, grid, grid, DIM, HEADS);
                Map<String, AttentionEmitter> layers = new LinkedHashMap<>();
                layers.put("decomposed", new VanillaAttention());
                layers.put("mha", new FusedAttention(AttentionForm.CONTRIB_MHA));
                layers.put("attention23", new FusedAttention(AttentionForm.ONNX_ATTENTION));
                ElfattOptions eo = ElfattOptions.builder().blocks(BlockLayout.windows(window(grid))).build();
                layers.put("elfatt-dec", new ElfattAttention(eo.toBuilder().softmaxForm(AttentionForm.DECOMPOSED).build()));
                layers.put("elfatt-mha", new ElfattAttention(eo));
                Map<String, Result> r = new LinkedHashMap<>();
                for (Map.Entry<String, AttentionEmitter> e : layers.entrySet()) {
                    r.put(e.getKey(), b.timeLayer(e.getValue(), l, batch, w));
                    log(size, batch, "layer " + e.getKey(), r.get(e.getKey()));
                }
                Result padded = null;
                if (grid == 64) {
                    padded = b.timeLayer(new ElfattAttention(ElfattOptions.builder().blocks(BlockLayout.windows(14)).build()), l, batch, w);
                    log(size, batch, "layer elfatt-mha padded 14x14", padded);
                }
                String bestVanilla = best(r, "decomposed", "mha", "attention23");
                String bestElfatt = best(r, "elfatt-dec", "elfatt-mha");
                layerRows.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %s | %s | %s | **%.2fx** | %s / %s |%n", tokens, batch,
                        r.get("decomposed").ms(), r.get("mha").ms(), r.get("attention23").ms(), r.get("elfatt-dec").ms(),
                        r.get("elfatt-mha").ms() + (padded == null ? "" : " (padded 14×14: " + padded.ms() + ")"), bestVanilla,
                        r.get(bestVanilla).p50Ms / r.get(bestElfatt).p50Ms, r.get(bestVanilla).mem(), r.get(bestElfatt).mem()));
                if (batch == 8 && grid > WHOLE_BATCH8_MAX_GRID) {
                    continue;
                }
                VitConfig c = new VitConfig(size, 16, DIM, DEPTH, HEADS, 4, 1000);
                AttentionForm vForm = switch (bestVanilla) {
                    case "mha" -> AttentionForm.CONTRIB_MHA;
                    case "attention23" -> AttentionForm.ONNX_ATTENTION;
                    default -> AttentionForm.DECOMPOSED;
                };
                AttentionEmitter vanilla = vForm == AttentionForm.DECOMPOSED ? new VanillaAttention() : new FusedAttention(vForm);
                AttentionForm eForm = bestElfatt.equals("elfatt-dec") ? AttentionForm.DECOMPOSED : AttentionForm.CONTRIB_MHA;
                Result vm = b.timeModel(VitBuilder.build(c, w, vanilla), size, batch);
                log(size, batch, "model vanilla " + bestVanilla, vm);
                Result em = b.timeModel(VitBuilder.build(c, w, new ElfattAttention(eo.toBuilder().softmaxForm(eForm).build())), size, batch);
                log(size, batch, "model elfatt " + bestElfatt, em);
                modelRows.append(String.format(Locale.ROOT, "| %d | %d | %d | %s (%s) | %s (%s) | **%.2fx** | %s | %s | %.2fx |%n", size, tokens,
                        batch, vm.ms(), bestVanilla, em.ms(), bestElfatt, vm.p50Ms / em.p50Ms, vm.mem(), em.mem(), vm.peakMiB / em.peakMiB));
            }
        }
        double minutes = (System.nanoTime() - start) / 6e10;
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report(layerRows, modelRows, minutes, loadBefore, loadAfter));
        System.out.println("wrote " + out);
    }

    private static String best(Map<String, Result> r, String... names) {
        String best = names[0];
        for (String n : names) {
            if (r.get(n).p50Ms < r.get(best).p50Ms) {
                best = n;
            }
        }
        return best;
    }

    private static void log(int size, int batch, String what, Result r) {
        System.out.printf(Locale.ROOT, "%4d px  batch %d  %-34s %9.1f ms  %7.0f MiB%n", size, batch, what, r.p50Ms, r.peakMiB);
    }

    private Result timeLayer(AttentionEmitter e, TokenLayout l, int batch, SeededWeights w) {
        float[] x = RandomWeights.input(1, batch, l.tokens(), l.dim());
        return time(LayerGraphs.oneLayer(e, l, w), "x", Tensor.ofFloats(new long[] {batch, l.tokens(), l.dim()}, x));
    }

    private Result timeModel(OnnxModel m, int size, int batch) {
        float[] x = RandomWeights.input(2, batch, 3 * size, size);
        return time(m, "pixels", Tensor.ofFloats(new long[] {batch, 3, size, size}, x));
    }

    private Result time(OnnxModel m, String input, Tensor x) {
        Path f = dir.resolve("m.onnx");
        m.save(f);
        Map<String, Tensor> in = Map.of(input, x);
        long base = status("VmRSS");
        resetPeak();
        long[] t = new long[RUNS];
        try (InferenceSession s = backend.open(f, SessionOptions.builder().threads(THREADS).build())) {
            s.run(in);
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                s.run(in);
                t[i] = System.nanoTime() - t0;
            }
        }
        long peak = status("VmHWM");
        Arrays.sort(t);
        return new Result(t[RUNS / 2] / 1e6, (peak - base) / 1024.0);
    }

    private static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException e) {
            throw new IllegalStateException("cannot reset the peak RSS through /proc/self/clear_refs (Linux only): " + e.getMessage(), e);
        }
    }

    /** A /proc/self/status field in KiB. */
    private static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status: " + e.getMessage(), e);
        }
        throw new IllegalStateException("/proc/self/status has no " + field);
    }

    private static String cpuModel() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }

    private static String report(StringBuilder layers, StringBuilder models, double minutes, String loadBefore, String loadAfter)
            throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# ELFATT vs vanilla attention on ONNX Runtime CPU (FP32)");
        lines.add("");
        lines.add("- Date: " + LocalDate.now());
        lines.add("- Machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                + " logical CPUs visible, shared with other users (load average at start `" + loadBefore + "`, at end `" + loadAfter + "`)");
        lines.add("- ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion() + " (Java API, CPU EP, all graph optimisations, "
                + THREADS + " intra-op threads); Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        lines.add("- Model: ViT, patch 16, dim " + DIM + ", depth " + DEPTH + ", " + HEADS + " heads (d = " + DIM / HEADS
                + "), MLP ratio 4, class token, seeded weights; same weights for both except ELFATT's LePE (9·C + C per layer)");
        lines.add("- ELFATT: split 1:1 (3 global linear heads + 3 local softmax heads), LePE on, class token global in the local head; "
                + "local windows 14/12/16/16/16 for grids 14/24/32/48/64 (no padding); at 196 tokens the one 14×14 window is the whole grid");
        lines.add("- Latency: p50 of " + RUNS + " runs after 1 warm-up; memory: peak RSS growth of the process from session creation to the "
                + "last run (VmHWM after clear_refs), i.e. weights as held by ONNX Runtime + arena/workspace peak, in MiB");
        lines.add("- Whole run took " + String.format(Locale.ROOT, "%.1f", minutes) + " minutes");
        lines.add("- Command: `mvn -q -o -pl converters -am test-compile && MALLOC_MMAP_THRESHOLD_=65536 java -Xms1g -Xmx1g "
                + "-XX:+AlwaysPreTouch -cp <test-classes:classes:jetson-runtime:sdk:onnxruntime-1.23.2:tribuo-util-onnx-4.3.2:"
                + "protobuf-java-3.25.6:gson-2.13.2:slf4j-api-2.0.17> io.jedge.converters.attention.ElfattBenchmark "
                + "benchmarks/elfatt-cpu-<date>.md` (exact class path in the class's Javadoc)");
        lines.add("");
        lines.add("## Whole model");
        lines.add("");
        lines.add("Batch 8 is skipped at 768 and 1024 px to keep the run within ~10 minutes on this machine.");
        lines.add("");
        lines.add("| image px | tokens | batch | best vanilla ms (form) | ELFATT ms (local form) | speedup | vanilla peak MiB | ELFATT peak MiB | memory ratio |");
        lines.add("|---|---|---|---|---|---|---|---|---|");
        lines.add(models.toString().stripTrailing());
        lines.add("");
        lines.add("## One attention layer alone (qkv → attention → proj), ms");
        lines.add("");
        lines.add("Batch 8 is skipped at 4097 tokens.");
        lines.add("");
        lines.add("| tokens | batch | vanilla decomposed | vanilla MHA | vanilla Attention-23 | ELFATT (local decomposed) | ELFATT (local MHA) "
                + "| fastest vanilla | speedup best vs best | peak MiB best vanilla / best ELFATT |");
        lines.add("|---|---|---|---|---|---|---|---|---|---|");
        lines.add(layers.toString().stripTrailing());
        lines.add("");
        return String.join("\n", lines) + "\n";
    }
}
