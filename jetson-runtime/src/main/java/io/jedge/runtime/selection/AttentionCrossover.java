package io.jedge.runtime.selection;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How fast ELFATT runs against the best vanilla attention form, per backend and sequence length:
 * the one table of measured ratios that both the runtime's selection prior ({@link VariantSelector})
 * and the converter's choice of a bundle's default use. ELFATT is linear in the token count, vanilla
 * quadratic, but the backends fuse vanilla attention into one kernel, so at short sequences ELFATT
 * is slower; the crossover is where the measured ratio reaches 1.
 *
 * <p>Between measured lengths the ratio is interpolated linearly in the token count; outside them
 * the nearest measurement holds. An unknown length (0) counts as short. Stateless and thread-safe.
 */
public final class AttentionCrossover {
    /** One measurement: whole-model ELFATT speed over the best vanilla form at batch 1. */
    record Point(int tokens, double ratio) {
    }

    /**
     * TensorRT FP16 on an H200, ViT dim 192, depth 12, 6 heads, ELFATT 1:1 with LePE in the decomposed form that
     * TensorRT fuses (both heads in one attention at one block with the unit queries written by the qkv GEMM, LePE as
     * shifted sums), GPU time at batch 1 without CUDA graphs (the runtime's default). Plain batch-1 timings are bound by
     * kernel launches and move by up to 50% between runs, so each point is the lower of the paired runs that measured the
     * form: 197 tokens 0.76 (one run, the form changed since), 1025 tokens 0.84 and 1.05 (the CUDA-graph figures agree,
     * 1.15 and 1.16), 4097 tokens 4.48 and 4.51 (benchmarks/elfatt-layers-tensorrt-h200-2026-12-03.md,
     * benchmarks/elfatt-gemm-queries-tensorrt-h200-2026-12-03.md). A bundle never makes ELFATT its default where one run
     * saw it slower.
     */
    static final List<Point> TENSORRT = List.of(new Point(197, 0.76), new Point(1025, 0.84), new Point(4097, 4.48));
    /**
     * ONNX Runtime CPU FP32, 2 threads, the same model against the fastest vanilla form, as paired
     * ratios of interleaved runs, ELFATT in its ONNX Runtime form (local head MultiHeadAttention,
     * LePE NHWC) (benchmarks/elfatt-cpu-2026-12-03-run2.md).
     */
    static final List<Point> ORT_CPU = List.of(new Point(197, 0.92), new Point(1025, 1.30), new Point(4097, 2.94));

    private AttentionCrossover() {
    }

    /** ELFATT's measured speed over vanilla on {@code backend} at {@code tokens} tokens (0: unknown, read as the shortest). */
    public static double ratio(String backend, int tokens) {
        List<Point> ps = table(backend);
        if (tokens <= ps.get(0).tokens()) {
            return ps.get(0).ratio();
        }
        for (int i = 1; i < ps.size(); i++) {
            Point lo = ps.get(i - 1);
            Point hi = ps.get(i);
            if (tokens <= hi.tokens()) {
                double f = (tokens - lo.tokens()) / (double) (hi.tokens() - lo.tokens());
                return lo.ratio() + f * (hi.ratio() - lo.ratio());
            }
        }
        return ps.get(ps.size() - 1).ratio();
    }

    /** The sequence length a variant records in its {@code tokens} attribute; 0 (unknown) when absent or not a number. */
    public static int tokens(Map<String, String> variantAttributes) {
        try {
            return Integer.parseInt(variantAttributes.getOrDefault("tokens", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether ELFATT at {@code tokens} tokens is measured at least as fast as vanilla on {@code backend}. */
    public static boolean elfattWins(String backend, int tokens) {
        return ratio(backend, tokens) >= 1.0;
    }

    /** The smallest token count from which ELFATT is at least as fast as vanilla on {@code backend}. */
    public static int crossoverTokens(String backend) {
        List<Point> ps = table(backend);
        int lo = 1;
        int hi = ps.get(ps.size() - 1).tokens();
        if (!elfattWins(backend, hi)) {
            return Integer.MAX_VALUE;
        }
        // scanned down from the longest measurement, so a ratio that dipped before it rose is still handled
        for (int t = hi; t >= lo; t--) {
            if (!elfattWins(backend, t)) {
                return t + 1;
            }
        }
        return lo;
    }

    /**
     * Why an ELFATT variant of {@code tokens} tokens should not be the default on {@code backend}
     * (its measured speed against vanilla there), or empty when it is at least as fast.
     */
    public static String whyNotDefault(String backend, int tokens) {
        if (elfattWins(backend, tokens)) {
            return "";
        }
        String len = tokens > 0 ? tokens + " tokens" : "an unknown sequence length";
        int cross = crossoverTokens(backend);
        return String.format(Locale.ROOT, "ELFATT at %s runs at %.2fx vanilla on %s (measured; ELFATT wins from %s tokens)", len, ratio(backend, tokens), name(backend), cross == Integer.MAX_VALUE ? "no measured" : cross);
    }

    private static List<Point> table(String backend) {
        return backend.equals("tensorrt") ? TENSORRT : ORT_CPU;
    }

    private static String name(String backend) {
        return backend.equals("tensorrt") ? "TensorRT FP16" : "ONNX Runtime CPU";
    }
}
