package io.jedge.converters.attention;

import io.jedge.converters.models.WeightSource;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.sdk.bundle.AttentionKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The engine behind {@link ElfattAttention}, {@link WindowAttention} and {@link FusedAttention}:
 * one qkv Linear, heads split into a global linear head and a local block-softmax head, optional
 * LePE, concat, output Linear. See {@link ElfattAttention} for the math and the weight names.
 */
final class SplitHeadAttention implements AttentionEmitter {
    /**
     * Longest sequence the decomposed form runs both heads as one attention: a 14×14 window and a class token, the
     * length it was measured at (benchmarks/elfatt-layers-tensorrt-h200-2026-12-03.md). The global heads pay a full
     * T×T attention there, so longer single blocks (a 24×24 window at 384 px) wait for a measurement.
     */
    static final int SHARED_ATTENTION_MAX_TOKENS = 14 * 14 + 1;
    private final ElfattOptions o;
    private final AttentionKind kind;

    SplitHeadAttention(ElfattOptions options, AttentionKind kind) {
        this.o = options;
        this.kind = kind;
    }

    ElfattOptions options() {
        return o;
    }

    @Override
    public AttentionKind kind() {
        return kind;
    }

    @Override
    public Map<String, Long> opsets() {
        return o.localParts() == 0 ? Map.of() : o.softmaxForm().opsets();
    }

    @Override
    public String emit(GraphBuilder b, String x, String prefix, WeightSource w, TokenLayout l) {
        int c = l.dim();
        int d = l.headDim();
        int h1 = o.globalHeads(l.heads());
        int h2 = l.heads() - h1;
        int c1 = h1 * d;
        int c2 = h2 * d;
        float[] qkvW = w.get(prefix + ".qkv.weight", 3L * c, c);
        float[] qkvB = w.get(prefix + ".qkv.bias", 3L * c);
        // the local head's 1/√d is folded into its q rows, so no Mul runs on the activations
        float scale = (float) (1.0 / Math.sqrt(d));
        float[] wq = qkvW.clone();
        float[] bq = qkvB.clone();
        for (int r = c1; r < c; r++) {
            bq[r] *= scale;
            for (int i = 0; i < c; i++) {
                wq[r * c + i] *= scale;
            }
        }
        Geometry g = h2 == 0 || o.blocks() instanceof BlockLayout.Whole ? null : geometry(o.blocks(), l);
        boolean oneBlock = g == null || (g.blocks() == 1 && !g.padded(l) && !g.chunks());
        if (o.softmaxForm() == AttentionForm.DECOMPOSED && h1 > 0 && h2 > 0 && oneBlock && l.tokens() >= d
                && l.tokens() <= SHARED_ATTENTION_MAX_TOKENS) {
            String qkv = sharedQkv(b, x, prefix, wq, bq, l, h1);
            String merged = bothHeadsInOneAttention(b, qkv, l, h1);
            if (o.lepe()) {
                merged = b.add(merged, lepeOnGrid(b, qkv, 2L * c, c, l, l.gridH(), l.gridW(), lepeWeights(prefix, w, c1, c2)));
            }
            return b.linear(merged, prefix + ".proj", w.get(prefix + ".proj.weight", c, c), c, c, w.get(prefix + ".proj.bias", c));
        }
        String qkv = b.linear(x, prefix + ".qkv", wq, c, 3 * c, bq);
        List<String> qkvParts;
        if (h1 == 0 || h2 == 0) {
            qkvParts = b.split(qkv, -1, c, c, c);
        } else {
            qkvParts = b.split(qkv, -1, c1, c2, c1, c2, c1, c2);
        }
        // with the local head as one plain block over the grid, both heads' LePE is one depthwise
        // conv over all of v, added once after the concat: half the LePE nodes
        boolean sharedLepe = o.lepe() && oneBlock;
        List<String> heads = new ArrayList<>();
        if (h1 > 0) {
            int step = h2 == 0 ? 1 : 2;
            String out = globalHead(b, qkvParts.get(0), qkvParts.get(step), qkvParts.get(2 * step), l, h1);
            if (o.lepe() && !sharedLepe) {
                // from the global v part, not from qkv: a Slice of qkv would keep all of qkv (3C wide)
                // alive through the local head (one layer alone at 4097 tokens peaked 9 MiB higher)
                String vGlobal = qkvParts.get(2 * step);
                out = b.add(out, lepeOnGrid(b, vGlobal, 0, c1, l, l.gridH(), l.gridW(), lepeWeights(prefix, w, c1, 0)));
            }
            heads.add(out);
        }
        if (h2 > 0) {
            int step = h1 == 0 ? 1 : 2;
            int first = h1 == 0 ? 0 : 1;
            float[] kBias = Arrays.copyOfRange(qkvB, c + c1, 2 * c);
            float[] vBias = Arrays.copyOfRange(qkvB, 2 * c + c1, 3 * c);
            heads.add(localHead(b, qkvParts.get(first), qkvParts.get(first + step), qkvParts.get(first + 2 * step), prefix, w, l, h2,
                    kBias, vBias, g, o.lepe() && !sharedLepe));
        }
        String merged = heads.size() == 1 ? heads.get(0) : b.concat(-1, heads.toArray(String[]::new));
        if (sharedLepe) {
            merged = b.add(merged, lepeOnGrid(b, qkv, 2L * c, c, l, l.gridH(), l.gridW(), lepeWeights(prefix, w, h1 * d, h2 * d)));
        }
        return b.linear(merged, prefix + ".proj", w.get(prefix + ".proj.weight", c, c), c, c, w.get(prefix + ".proj.bias", c));
    }

    /** A depthwise 3×3 conv's weights: {@code weight} [channels,1,3,3] row-major, {@code bias} [channels]. */
    private record LepeWeights(String name, float[] weight, float[] bias, int channels) {
    }

    /** LePE weight and bias for c1 global then c2 local channels, from {@code .lepe_global} and {@code .lepe_local}. */
    private static LepeWeights lepeWeights(String prefix, WeightSource w, int c1, int c2) {
        float[] wt = new float[(c1 + c2) * 9];
        float[] bias = new float[c1 + c2];
        if (c1 > 0) {
            System.arraycopy(w.get(prefix + ".lepe_global.weight", c1, 1, 3, 3), 0, wt, 0, c1 * 9);
            System.arraycopy(w.get(prefix + ".lepe_global.bias", c1), 0, bias, 0, c1);
        }
        if (c2 > 0) {
            System.arraycopy(w.get(prefix + ".lepe_local.weight", c2, 1, 3, 3), 0, wt, c1 * 9, c2 * 9);
            System.arraycopy(w.get(prefix + ".lepe_local.bias", c2), 0, bias, c1, c2);
        }
        String name = c2 == 0 ? prefix + ".lepe_global" : c1 == 0 ? prefix + ".lepe_local" : prefix + ".lepe";
        return new LepeWeights(name, wt, bias, c1 + c2);
    }

    /**
     * The qkv Linear of {@link #bothHeadsInOneAttention}, with the global heads' query change folded into it so q, k and v
     * leave the GEMM exactly as in vanilla attention, which TensorRT fuses straight into its MHA kernel (a Mul/Add on q
     * between them made it transpose k and v first, benchmarks/elfatt-layers-tensorrt-h200-2026-12-03.md). Columns:
     * q with the global heads' columns zeroed, k, v, then the global heads' real q (c1 more). A constant [T,3C+c1] added
     * after the bias writes the unit queries [I;0] into the zeroed columns; one copy serves all layers of this shape.
     */
    private static String sharedQkv(GraphBuilder b, String x, String prefix, float[] wq, float[] bq, TokenLayout l, int h1) {
        int c = l.dim();
        int d = l.headDim();
        int c1 = h1 * d;
        int t = l.tokens();
        int out = 3 * c + c1;
        float[] wt = new float[out * c];
        float[] bias = new float[out];
        System.arraycopy(wq, c1 * c, wt, c1 * c, (3 * c - c1) * c);
        System.arraycopy(bq, c1, bias, c1, 3 * c - c1);
        System.arraycopy(wq, 0, wt, 3 * c * c, c1 * c);
        System.arraycopy(bq, 0, bias, 3 * c, c1);
        String qkv = b.linear(x, prefix + ".qkv", wt, c, out, bias);
        String unitName = "elfatt.unit_queries_t" + t + "_c" + c + "_g" + c1 + "_d" + d;
        if (!b.graph().isInitializer(unitName)) {
            float[] unit = new float[t * out];
            for (int head = 0; head < h1; head++) {
                for (int i = 0; i < d; i++) {
                    unit[i * out + head * d + i] = 1f;
                }
            }
            b.weight(unitName, new long[] {t, out}, unit);
        }
        return b.add(qkv, unitName);
    }

    /**
     * Both heads as one softmax attention over all h heads, for when one block covers the grid (the local head is
     * then plain attention over every token), in the decomposed form TensorRT fuses into one MHA kernel. The
     * global head's context is itself a softmax attention: with the d unit vectors as queries, row i of
     * softmax(I·kᵀ)·v is softmax_N(k[:,i])ᵀ·v, which is row i of softmax_N(k)ᵀ·v. So the global heads' queries are
     * [I; 0] (from {@link #sharedQkv}; the zero rows are computed and dropped), their first d output rows are the d×d
     * context, and softmax_d(q)·ctx finishes them. Needs tokens ≥ d. Costs the global heads a full attention's MACs,
     * which at one block of at most {@link #SHARED_ATTENTION_MAX_TOKENS} tokens is cheap next to the kernels it saves
     * (benchmarks/elfatt-layers-tensorrt-h200-2026-12-03.md). Returns [B,T,C] before the output Linear.
     */
    private static String bothHeadsInOneAttention(GraphBuilder b, String qkv, TokenLayout l, int h1) {
        int t = l.tokens();
        int h = l.heads();
        int d = l.headDim();
        List<String> parts = b.split(qkv, -1, l.dim(), l.dim(), l.dim(), h1 * d);
        String queries = VanillaAttention.heads(b, parts.get(0), t, h, d, 0, 2, 1, 3); // [B,h,T,d]
        String kT = VanillaAttention.heads(b, parts.get(1), t, h, d, 0, 2, 3, 1); // [B,h,d,T]
        String v = VanillaAttention.heads(b, parts.get(2), t, h, d, 0, 2, 1, 3);
        String qGlobal = VanillaAttention.heads(b, parts.get(3), t, h1, d, 0, 2, 1, 3); // [B,h1,T,d]
        String att = b.matMul(b.softmax(b.matMul(queries, kT), -1), v); // [B,h,T,d]
        String ctx = b.slice(att, new long[] {0, 0}, new long[] {h1, d}, new long[] {1, 2}); // [B,h1,d,d]
        String global = b.matMul(b.softmax(qGlobal, -1), ctx);
        String local = b.slice(att, new long[] {h1}, new long[] {h}, new long[] {1});
        return b.reshape(b.transpose(b.concat(1, global, local), 0, 2, 1, 3), 0, t, l.dim());
    }

    /**
     * softmax_d(q)·(softmax_N(k)ᵀ·v) for all global heads at once: the softmax over tokens is per
     * channel, so k needs no head split; kᵀv is formed for all c1 channels and masked to its
     * per-head d×d diagonal blocks, so q·ctx is one plain MatMul on [B,T,c1]. Always explicit
     * Softmax + MatMul in the model's float type: no fused op may hide the 1/N-sized K-softmax
     * values or the N-long reduction from FP32 (pitfall 1).
     */
    private static String globalHead(GraphBuilder b, String q, String k, String v, TokenLayout l, int h1) {
        int t = l.tokens();
        int d = l.headDim();
        int c1 = h1 * d;
        // transposed first so the softmax runs on the last axis, where every backend has its fast kernel
        String ctx = b.matMul(b.softmax(b.transpose(k, 0, 2, 1), -1), v); // [B,c1,c1]
        String qs;
        if (h1 == 1) {
            qs = b.softmax(q, -1);
        } else {
            float[] mask = new float[c1 * c1];
            for (int i = 0; i < c1; i++) {
                for (int j = (i / d) * d; j < (i / d + 1) * d; j++) {
                    mask[i * c1 + j] = 1f;
                }
            }
            ctx = b.mul(ctx, b.weight(b.graph().uniqueName("head_blocks"), new long[] {c1, c1}, mask));
            qs = b.reshape(b.softmax(b.reshape(q, 0, t, h1, d), -1), 0, t, c1);
        }
        return b.matMul(qs, ctx);
    }

    /**
     * LePE over the full grid map on channels {@code [channel, channel+cc)} of {@code src}
     * [B,T,*], cut by one Slice; prefix tokens get zero. Returns [B,T,cc].
     */
    private String lepeOnGrid(GraphBuilder b, String src, long channel, int cc, TokenLayout l, int bh, int bw, LepeWeights weights) {
        int p = l.prefixTokens();
        String grid = b.slice(src, new long[] {p, channel}, new long[] {l.tokens(), channel + cc}, new long[] {1, 2});
        String pe = lepe(b, grid, weights, bh, bw);
        return p == 0 ? pe : b.op("Pad", pe, b.constLongs("pads", 0, p, 0, 0, 0, 0));
    }

    /**
     * Depthwise 3×3 conv with bias on [B',bh·bw,cc] viewed as a bh×bw map, zero-padded at its border.
     * <ul>
     *   <li>ONNX Runtime form (local head as {@code com.microsoft::MultiHeadAttention}): NHWC → NCHW by
     *       Transpose(0,3,1,2) and back by Transpose(0,2,3,1) around a Conv: ONNX Runtime's NCHWc transformer
     *       folds exactly those into its channels-last reorders, so no Transpose runs (2 fewer kernels per
     *       layer, benchmarks/elfatt-cpu-2026-12-03-run2.md).
     *   <li>Decomposed form (TensorRT's): nine shifted slices of the zero-padded NHWC map, each times its tap,
     *       summed. All slices and pointwise ops, so TensorRT fuses the whole conv into one generated kernel;
     *       as a Conv it ran as a convolution kernel plus a host-side shape call per layer
     *       (benchmarks/elfatt-layers-tensorrt-h200-2026-12-03.md).
     *   <li>Attention-23 form: the channel-major Conv.
     * </ul>
     */
    private String lepe(GraphBuilder b, String v, LepeWeights wt, int bh, int bw) {
        int cc = wt.channels();
        if (o.softmaxForm() == AttentionForm.DECOMPOSED) {
            String padded = b.op("Pad", b.reshape(v, 0, bh, bw, cc), b.constLongs("pads", 0, 1, 1, 0, 0, 1, 1, 0));
            String acc = null;
            for (int dy = 0; dy < 3; dy++) {
                for (int dx = 0; dx < 3; dx++) {
                    float[] tap = new float[cc];
                    for (int ch = 0; ch < cc; ch++) {
                        tap[ch] = wt.weight()[ch * 9 + dy * 3 + dx];
                    }
                    String shifted = b.slice(padded, new long[] {dy, dx}, new long[] {dy + bh, dx + bw}, new long[] {1, 2});
                    String term = b.mul(shifted, b.weight(wt.name() + ".tap" + dy + dx, new long[] {cc}, tap));
                    acc = acc == null ? term : b.add(acc, term);
                }
            }
            acc = b.add(acc, b.weight(wt.name() + ".bias", new long[] {cc}, wt.bias()));
            return b.reshape(acc, 0, (long) bh * bw, cc);
        }
        String w = b.weight(wt.name() + ".weight", new long[] {cc, 1, 3, 3}, wt.weight());
        String bias = b.weight(wt.name() + ".bias", new long[] {cc}, wt.bias());
        long[] kernel = {3, 3};
        long[] strides = {1, 1};
        long[] pads = {1, 1, 1, 1};
        if (o.softmaxForm() == AttentionForm.CONTRIB_MHA) {
            String map = b.transpose(b.reshape(v, 0, bh, bw, cc), 0, 3, 1, 2);
            String conv = b.conv(map, w, bias, kernel, strides, pads, cc);
            return b.reshape(b.transpose(conv, 0, 2, 3, 1), 0, (long) bh * bw, cc);
        }
        String map = b.reshape(b.transpose(v, 0, 2, 1), 0, cc, bh, bw);
        String conv = b.conv(map, w, bias, kernel, strides, pads, cc);
        return b.transpose(b.reshape(conv, 0, cc, (long) bh * bw), 0, 2, 1);
    }

    /** Where the blocks of the grid lie. */
    private record Geometry(int bh, int bw, int hp, int wp, int blocks, boolean chunks) {
        int size() {
            return bh * bw;
        }

        boolean padded(TokenLayout l) {
            return chunks ? hp * wp != l.gridH() * l.gridW() : hp != l.gridH() || wp != l.gridW();
        }
    }

    private static Geometry geometry(BlockLayout layout, TokenLayout l) {
        int gh = l.gridH();
        int gw = l.gridW();
        if (layout instanceof BlockLayout.Windows win) {
            int bh = Math.min(win.side(), gh);
            int bw = Math.min(win.side(), gw);
            int hp = ceil(gh, bh) * bh;
            int wp = ceil(gw, bw) * bw;
            return new Geometry(bh, bw, hp, wp, (hp / bh) * (wp / bw), false);
        }
        int n = gh * gw;
        int s = Math.min(((BlockLayout.Chunks) layout).size(), n);
        int blocks = ceil(n, s);
        // a chunk is a 1×s strip: its LePE sees left/right neighbours in token order only
        return new Geometry(1, s, 1, blocks * s, blocks, true);
    }

    private static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * Exact softmax inside blocks of the grid. Prefix (class) tokens are global tokens here: their
     * queries attend to every token, and every block's keys/values include them, so one block
     * covering the whole grid is exactly vanilla attention.
     */
    private String localHead(GraphBuilder b, String q, String k, String v, String prefix, WeightSource w, TokenLayout l, int h2,
            float[] kBias, float[] vBias, Geometry g, boolean ownLepe) {
        int d = l.headDim();
        int c2 = h2 * d;
        int t = l.tokens();
        int p = l.prefixTokens();
        AttentionForm form = o.softmaxForm();
        // one unpadded block over the grid, prefix tokens global: that is plain attention over all tokens
        if (g == null || (g.blocks() == 1 && !g.padded(l))) {
            String out = form.emit(b, q, k, v, t, t, h2, d, 1f);
            if (!ownLepe) {
                return out;
            }
            boolean strip = g != null && g.chunks();
            return b.add(out, lepeOnGrid(b, v, 0, c2, l, strip ? 1 : l.gridH(), strip ? g.size() : l.gridW(), lepeWeights(prefix, w, 0, c2)));
        }
        long[] gridRange = {p, t};
        String qg = p == 0 ? q : b.slice(q, new long[] {gridRange[0]}, new long[] {gridRange[1]}, new long[] {1});
        String kg = p == 0 ? k : b.slice(k, new long[] {gridRange[0]}, new long[] {gridRange[1]}, new long[] {1});
        String vg = p == 0 ? v : b.slice(v, new long[] {gridRange[0]}, new long[] {gridRange[1]}, new long[] {1});
        // padded queries are cropped away, so q pads with zeros; k and v pad with the qkv bias,
        // which is what a zero-padded normalised input (Swin's F.pad before qkv) would give
        String qb = blockify(b, qg, null, l, g, c2);
        String kb = blockify(b, kg, kBias, l, g, c2);
        String vb = blockify(b, vg, vBias, l, g, c2);
        String kAll = kb;
        String vAll = vb;
        if (p > 0) {
            kAll = b.concat(1, tilePrefix(b, k, p, g.blocks(), c2), kb);
            vAll = b.concat(1, tilePrefix(b, v, p, g.blocks(), c2), vb);
        }
        String ob = form.emit(b, qb, kAll, vAll, g.size(), (long) g.size() + p, h2, d, 1f);
        if (ownLepe) {
            ob = b.add(ob, lepe(b, vb, lepeWeights(prefix, w, 0, c2), g.bh(), g.bw()));
        }
        String out = unblockify(b, ob, l, g, c2);
        if (p > 0) {
            String qp = b.slice(q, new long[] {0}, new long[] {p}, new long[] {1});
            out = b.concat(1, form.emit(b, qp, k, v, p, t, h2, d, 1f), out);
        }
        return out;
    }

    /** [B,p..,cc] prefix rows of {@code x} repeated per block: [B·nW,p,cc]. */
    private static String tilePrefix(GraphBuilder b, String x, int p, int blocks, int cc) {
        String rows = b.slice(x, new long[] {0}, new long[] {p}, new long[] {1});
        String tiled = b.op("Expand", b.reshape(rows, 0, 1, p, cc), b.constLongs("tile", 1, blocks, 1, 1));
        return b.reshape(tiled, -1, p, cc);
    }

    /** [B,H·W,cc] → [B·nW, s, cc], padding with {@code padValue} per channel (zeros when null). */
    private static String blockify(GraphBuilder b, String x, float[] padValue, TokenLayout l, Geometry g, int cc) {
        boolean pad = g.padded(l);
        if (!pad && g.blocks() == 1) {
            return x;
        }
        String biasT = pad && padValue != null && !allZero(padValue) ? b.weight(b.graph().uniqueName("pad_value"), new long[] {cc}, padValue) : null;
        if (g.chunks()) {
            String y = x;
            if (pad) {
                y = padWith(b, y, biasT, 0, 0, 0, 0, g.wp() - l.gridH() * l.gridW(), 0);
            }
            return b.reshape(y, -1, g.size(), cc);
        }
        String map = b.reshape(x, 0, l.gridH(), l.gridW(), cc);
        if (pad) {
            map = padWith(b, map, biasT, 0, 0, 0, 0, 0, g.hp() - l.gridH(), g.wp() - l.gridW(), 0);
        }
        String win = b.reshape(map, 0, g.hp() / g.bh(), g.bh(), g.wp() / g.bw(), g.bw(), cc);
        return b.reshape(b.transpose(win, 0, 1, 3, 2, 4, 5), -1, g.size(), cc);
    }

    private static String padWith(GraphBuilder b, String x, String value, long... pads) {
        if (value == null) {
            return b.op("Pad", x, b.constLongs("pads", pads));
        }
        return b.add(b.op("Pad", b.sub(x, value), b.constLongs("pads", pads)), value);
    }

    private static boolean allZero(float[] a) {
        for (float f : a) {
            if (f != 0f) {
                return false;
            }
        }
        return true;
    }

    /** [B·nW, s, cc] → [B, H·W, cc], cropping the padding. */
    private static String unblockify(GraphBuilder b, String x, TokenLayout l, Geometry g, int cc) {
        int n = l.gridH() * l.gridW();
        boolean pad = g.padded(l);
        if (!pad && g.blocks() == 1) {
            return x;
        }
        if (g.chunks()) {
            String y = b.reshape(x, -1, g.wp(), cc);
            return pad ? b.slice(y, new long[] {0}, new long[] {n}, new long[] {1}) : y;
        }
        String win = b.reshape(x, -1, g.hp() / g.bh(), g.wp() / g.bw(), g.bh(), g.bw(), cc);
        String map = b.reshape(b.transpose(win, 0, 1, 3, 2, 4, 5), -1, g.hp(), g.wp(), cc);
        if (pad) {
            map = b.slice(map, new long[] {0, 0}, new long[] {l.gridH(), l.gridW()}, new long[] {1, 2});
        }
        return b.reshape(map, -1, n, cc);
    }
}
