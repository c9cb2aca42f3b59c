package io.jedge.converters.attention;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whole-model latency of attention forms as interleaved A/B on one machine: every session is opened
 * in one process, then each round runs every model once in turn, so load from other users hits all
 * of them alike. Prints per model p50/p25/min and the median over rounds of (first model's time /
 * this model's time): above 1 this model is faster than the first. Each model's name is followed by its
 * ONNX node count and the node count of ONNX Runtime's optimised graph. The paired ratio is what
 * {@code AttentionCrossover} records; a sequential p50 of a few runs ({@link ElfattBenchmark}) is
 * meaningless on a machine shared with other builds.
 *
 * <p>Same model as {@link ElfattBenchmark} (ViT dim 192, depth 12, 6 heads, its windows per grid).
 * Run from the repository root after {@code mvn -q -o -pl converters -am test-compile}, with the
 * class path of {@link ElfattBenchmark}'s Javadoc:
 * <pre>
 * java -cp CP io.jedge.converters.attention.ElfattAb 224 1 200 vanilla-att23 vanilla-mha vanilla-dec elfatt elfatt-dec
 * </pre>
 * Arguments: image size, batch, rounds, then model names (vanilla-dec, vanilla-mha, vanilla-att23,
 * elfatt — local head as MultiHeadAttention —, elfatt-dec, elfatt-att23). With
 * {@code -Delfatt.ab.inner=K} a model's time in a round is the least of K back-to-back runs, which
 * keeps short preemptions by other users out of the ratio; each round starts at the next model.
 */
public final class ElfattAb {
    public static void main(String[] a) throws Exception {
        int size = Integer.parseInt(a[0]);
        int batch = Integer.parseInt(a[1]);
        int rounds = Integer.parseInt(a[2]);
        int grid = size / 16;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<OrtSession> ss = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 3; i < a.length; i++) {
            ElfattOptions eo = ElfattOptions.builder().blocks(BlockLayout.windows(ElfattBenchmark.window(grid))).build();
            AttentionEmitter e = switch (a[i]) {
                case "vanilla-dec" -> new VanillaAttention();
                case "vanilla-mha" -> new FusedAttention(AttentionForm.CONTRIB_MHA);
                case "vanilla-att23" -> new FusedAttention(AttentionForm.ONNX_ATTENTION);
                case "elfatt" -> new ElfattAttention(eo);
                case "elfatt-dec" -> new ElfattAttention(eo.toBuilder().softmaxForm(AttentionForm.DECOMPOSED).build());
                case "elfatt-att23" -> new ElfattAttention(eo.toBuilder().softmaxForm(AttentionForm.ONNX_ATTENTION).build());
                default -> throw new IllegalArgumentException("model " + a[i] + ", expected vanilla-dec|vanilla-mha|vanilla-att23|elfatt|elfatt-dec|elfatt-att23");
            };
            OnnxModel m = VitBuilder.build(new VitConfig(size, 16, 192, 12, 6, 4, 1000), new SeededWeights(7), e);
            Path f = Files.createTempFile("ab", ".onnx");
            files.add(f);
            m.save(f);
            Path optimised = Files.createTempFile("ab-opt", ".onnx");
            files.add(optimised);
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                so.setIntraOpNumThreads(2);
                so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                so.setOptimizedModelFilePath(optimised.toString());
                ss.add(env.createSession(f.toString(), so));
            }
            // what ONNX Runtime runs after its fusions and layout transforms
            int ortNodes = OnnxModel.load(optimised).graph().nodes().size();
            names.add(a[i] + " (" + m.graph().nodes().size() + "/" + ortNodes + " nodes)");
        }
        float[] x = RandomWeights.input(2, batch, 3 * size, size);
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 3, size, size});
        long[][] t = new long[ss.size()][rounds];
        for (OrtSession s : ss) {
            s.run(Map.of("pixels", in)).close();
            s.run(Map.of("pixels", in)).close();
        }
        int inner = Integer.getInteger("elfatt.ab.inner", 1);
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < ss.size(); k++) {
                // each round starts at another model, so no model always runs right after the same one
                int i = (k + r) % ss.size();
                long best = Long.MAX_VALUE;
                for (int j = 0; j < inner; j++) {
                    long t0 = System.nanoTime();
                    ss.get(i).run(Map.of("pixels", in)).close();
                    best = Math.min(best, System.nanoTime() - t0);
                }
                t[i][r] = best;
            }
        }
        for (int i = 0; i < ss.size(); i++) {
            long[] c = t[i].clone();
            Arrays.sort(c);
            System.out.printf(Locale.ROOT, "%-44s p50 %7.2f ms  p25 %7.2f  min %7.2f  ratio-to-first(p50 of paired) %.3f%n", names.get(i), c[rounds / 2] / 1e6,
                    c[rounds / 4] / 1e6, c[0] / 1e6, pairedRatio(t[0], t[i]));
        }
        in.close();
        for (OrtSession s : ss) {
            s.close();
        }
        for (Path f : files) {
            Files.delete(f);
        }
    }

    /** median over rounds of first/this: >1 means this one is faster than the first. */
    static double pairedRatio(long[] a, long[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (double) a[i] / b[i];
        }
        Arrays.sort(r);
        return r[r.length / 2];
    }
}
