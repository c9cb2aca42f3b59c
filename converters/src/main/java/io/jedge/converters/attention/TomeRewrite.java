package io.jedge.converters.attention;

import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.sdk.diffusion.GaussianNoise;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training-free token merging around self-attention, as ToMe-SD (Bolya and Hoffman 2023) applies
 * it: before a block's attention its tokens are split into destinations (one per 2×2 cell of the
 * token grid, a seeded fixed choice) and sources; each source is matched to its most similar
 * destination (cosine of the keys, all heads), the {@code r = ratio·N} best-matched sources are
 * averaged into their destinations, attention runs over the {@code N - r} tokens left, and its
 * result is copied back to every token (a merged source takes its destination's). Merging Q, K and
 * V with the same average equals merging the block's input tokens before the Q/K/V projections
 * (they are affine per token), so the model's weights and its output projection stay as they are.
 *
 * <p>With {@code elfattSd} given (the {@code elfatt-sd+tome} form) the attention over the merged
 * tokens is ELFATT-SD's instead of softmax: half the heads agent attention (agents pooled from the
 * unmerged token grid, as without merging), half softmax in blocks of the merged tokens taken in
 * token order (each kept source and destination at its own position), so that a block holds
 * neighbours, as ELFATT-SD's blocks do without merging. (ToMe's merged order, kept sources by
 * similarity then destinations, would put tokens from all over the grid into one block.)
 *
 * <p>Emitted with standard ONNX ops that TensorRT 10 parses (MatMul, ReduceL2, ReduceMax, ReduceSum,
 * ArgMax, TopK, Gather, GatherElements, ScatterElements without reduction, Equal, Less, Cast, Expand); the mean
 * into destinations is a one-hot MatMul, not a scatter with reduction. Grid-less blocks use groups
 * of four consecutive tokens; prefix (class) tokens are destinations nothing merges into.
 * Not thread-safe on one graph; {@link #rewrite(OnnxModel, TomeOptions, ElfattSdOptions)} works on a copy.
 */
public final class TomeRewrite {
    private static final Logger LOG = LoggerFactory.getLogger(TomeRewrite.class);
    /** Added to the similarity of prefix destinations: cosines are at least -1, so no source picks them. */
    private static final float PREFIX_BIAS = -4f;

    private TomeRewrite() {
    }

    /**
     * One merged block.
     *
     * @param index           block index
     * @param layer           block label
     * @param originalOutput  attention result tensor in the source model
     * @param rewrittenOutput the tensor that replaces it (same shape)
     * @param tokens          tokens N before merging
     * @param merged          tokens r merged away
     * @param destinations    destination tokens
     */
    public record Merged(int index, String layer, String originalOutput, String rewrittenOutput, int tokens, int merged,
            int destinations) {
    }

    /** What a rewrite did: the rewritten copy, the blocks found in the source and the merged ones. */
    public record Result(OnnxModel model, List<AttentionBlock> blocks, List<Merged> merged) {
        public Result {
            blocks = List.copyOf(blocks);
            merged = List.copyOf(merged);
        }
    }

    /**
     * Merges tokens in the chosen blocks of a copy of {@code source}.
     *
     * @param elfattSd null for softmax over the merged tokens; ELFATT-SD's options to run it instead
     * @throws IllegalArgumentException for a requested block that does not exist or cannot be merged
     */
    public static Result rewrite(OnnxModel source, TomeOptions options, ElfattSdOptions elfattSd) {
        OnnxModel m = source.copy();
        long opset = m.opset();
        if (opset < 13) {
            throw new IllegalArgumentException("model opset " + opset + ", expected 13 or more for token merging; re-export with a newer opset");
        }
        List<AttentionBlock> blocks = AttentionFinder.find(m);
        List<AttentionBlock> chosen = choose(blocks, options);
        GraphBuilder b = new GraphBuilder(m.graph());
        List<Merged> done = new ArrayList<>();
        for (AttentionBlock a : chosen) {
            done.add(merge(b, a, options, elfattSd, opset));
        }
        m.graph().removeDeadNodes();
        return new Result(m, blocks, done);
    }

    /** The blocks {@code options} asks for: its layers, or every supported block with a known token count. */
    static List<AttentionBlock> choose(List<AttentionBlock> blocks, TomeOptions options) {
        List<AttentionBlock> chosen = new ArrayList<>();
        for (AttentionBlock a : ElfattSdRewrite.choose(blocks, options.layers())) {
            String why = a.tokens() < 2 ? "its token count is unknown"
                    : !a.selfAttention() || a.keyTokens() != a.tokens() ? "it is not self-attention"
                    : mergeCount(a, options.ratio()) < 1 ? "ratio " + options.ratio() + " of " + a.tokens() + " tokens merges none" : null;
            if (why == null) {
                chosen.add(a);
            } else if (!options.layers().isEmpty()) {
                throw new IllegalArgumentException("layer " + a.index() + " (" + a.layer() + ") cannot merge tokens: " + why);
            }
        }
        return chosen;
    }

    /** r: ratio·N, at most the source tokens. */
    static int mergeCount(AttentionBlock a, double ratio) {
        return mergeCount(a.tokens(), ratio, sourceCount(a));
    }

    /** The block's source tokens, the K of its similarity TopK: one of every four tokens is a destination. */
    static int sourceCount(AttentionBlock a) {
        return split(a, 0)[0].length; // the seed moves destinations within their cells, not their number
    }

    private static int mergeCount(long tokens, double ratio, int sources) {
        return Math.min((int) (tokens * ratio), sources);
    }

    /**
     * {sources, destinations}, each in token order. One destination per 2×2 grid cell, chosen with
     * {@code seed}; grid rows or columns left over by an odd size are sources (as in ToMe-SD).
     * Without a grid, one of every four consecutive tokens. Prefix tokens are destinations.
     */
    static int[][] split(AttentionBlock a, long seed) {
        int n = (int) a.tokens();
        int prefix = a.prefixTokens();
        boolean[] dst = new boolean[n];
        for (int i = 0; i < prefix; i++) {
            dst[i] = true;
        }
        GaussianNoise rnd = new GaussianNoise(seed); // jedge's one seeded generator; only its uniforms are used here
        long gh = a.gridHeight();
        long gw = a.gridWidth();
        if (gh > 0 && gw > 0 && prefix + gh * gw == n) {
            for (int cy = 0; cy < gh / 2; cy++) {
                for (int cx = 0; cx < gw / 2; cx++) {
                    int pick = (int) (rnd.nextUniform() * 4);
                    dst[prefix + (int) ((2 * cy + pick / 2) * gw + 2 * cx + pick % 2)] = true;
                }
            }
        } else {
            for (int g = prefix; g + 4 <= n; g += 4) {
                dst[g + (int) (rnd.nextUniform() * 4)] = true;
            }
        }
        int nd = 0;
        for (boolean x : dst) {
            nd += x ? 1 : 0;
        }
        int[] s = new int[n - nd];
        int[] d = new int[nd];
        int si = 0;
        int di = 0;
        for (int i = 0; i < n; i++) {
            if (dst[i]) {
                d[di++] = i;
            } else {
                s[si++] = i;
            }
        }
        return new int[][] {s, d};
    }

    private static Merged merge(GraphBuilder b, AttentionBlock a, TomeOptions o, ElfattSdOptions elfattSd, long opset) {
        int h = (int) a.heads();
        int n = (int) a.tokens();
        int d = (int) a.headDim();
        int[][] split = split(a, o.seed());
        int[] src = split[0];
        int[] dst = split[1];
        int ns = src.length;
        int nd = dst.length;
        int r = mergeCount(n, o.ratio(), ns);
        int nu = ns - r;
        b.scope(a.layer() + "/tome");
        ElfattSdRewrite.Heads heads = ElfattSdRewrite.heads(b, a);
        Graph g = b.graph();
        String srcIdx = b.initializer(TensorData.ofLongs(g.uniqueName(a.layer() + "/tome/src_idx"), new long[] {ns}, toLongs(src)));
        String dstIdx = b.initializer(TensorData.ofLongs(g.uniqueName(a.layer() + "/tome/dst_idx"), new long[] {nd}, toLongs(dst)));

        // matching: cosine of the keys (all heads), each source to its best destination, the best r sources merged
        String keys = b.reshape(b.transpose(heads.k(), 0, 2, 1, 3), 0, 0, (long) h * d); // (B,N,C)
        String norm = reduce(b, "ReduceL2", keys, -1, true, opset);
        String metric = b.div(keys, b.add(norm, b.constFloat("tome_eps", 1e-6f)));
        String scores = b.matMul(b.gather(metric, srcIdx, 1), b.transpose(b.gather(metric, dstIdx, 1), 0, 2, 1)); // (B,Ns,Nd)
        if (a.prefixTokens() > 0) {
            float[] bias = new float[nd];
            for (int j = 0; j < nd && dst[j] < a.prefixTokens(); j++) {
                bias[j] = PREFIX_BIAS;
            }
            scores = b.add(scores, b.weight(g.uniqueName(a.layer() + "/tome/prefix_bias"), new long[] {nd}, bias));
        }
        String best = reduce(b, "ReduceMax", scores, -1, false, opset); // (B,Ns)
        String bestDst = b.node("ArgMax", scores).set("axis", -1L).set("keepdims", 0L).output(0); // (B,Ns)
        Node topK = g.addNode("TopK", b.scope() + "/TopK", List.of(best, b.constLongs("tome_k", ns)), 2);
        topK.set("axis", -1L).set("largest", 1L).set("sorted", 1L);
        String order = topK.output(1); // sources by similarity, best first
        String mergedSrc = b.slice(order, new long[] {0}, new long[] {r}, new long[] {1}); // (B,r)
        String keptSrc = b.slice(order, new long[] {r}, new long[] {ns}, new long[] {1}); // (B,Nu)
        int kept = n - r;
        // ELFATT-SD's local heads take chunks of the merged sequence; in [kept sources by similarity | destinations]
        // a chunk would gather tokens from all over the grid, so those heads see the merged tokens in token order
        // (with one chunk over all of them the order changes nothing, and the sort is left out)
        boolean tokenOrder = elfattSd != null && nu > 0 && kept > elfattSd.block();
        if (tokenOrder) {
            // the source list is in token order, so sorting indices into it sorts the kept sources by position
            Node sort = g.addNode("TopK", b.scope() + "/TopK_kept", List.of(keptSrc, b.constLongs("tome_nu", nu)), 2);
            keptSrc = sort.set("axis", -1L).set("largest", 0L).set("sorted", 1L).output(0);
        }
        String into = b.node("GatherElements", bestDst, mergedSrc).set("axis", 1L).output(0); // (B,r) destination of each

        // merge Q, K, V at once: unmerged sources first, then destinations averaged with what merged into them
        String x = b.concat(3, heads.q(), heads.k(), heads.v()); // (B,h,N,3d)
        long dx = 3L * d;
        String xs = b.gather(x, srcIdx, 2);
        String xd = b.gather(x, dstIdx, 2);
        String unm = nu > 0 ? gatherTokens(b, xs, keptSrc, h, dx) : null;
        String moved = gatherTokens(b, xs, mergedSrc, h, dx); // (B,h,r,3d)
        String oneHot = b.node("Cast", b.op("Equal", unsqueeze(b, into, 2), b.constLongs("tome_dst_range", range(nd))))
                .set("to", (long) TensorData.FLOAT).output(0); // (B,r,Nd)
        String sums = b.matMul(unsqueeze(b, b.transpose(oneHot, 0, 2, 1), 1), moved); // (B,h,Nd,3d)
        String counts = b.add(b.op("ReduceSum", oneHot, b.constLongs("tome_axis", 1)), b.constFloat("tome_one", 1f)); // (B,1,Nd)
        String dstMerged = b.div(b.add(xd, sums), unsqueeze(b, b.transpose(counts, 0, 2, 1), 1)); // / (B,1,Nd,1)
        // no unmerged sources at all (ratio >= 3/4): leave out the empty part, TensorRT refuses zero-sized tensors
        String mergedX = nu > 0 ? b.concat(2, unm, dstMerged) : dstMerged; // (B,h,N',3d)

        String attended;
        if (elfattSd == null) {
            List<String> qkv = b.split(mergedX, 3, d, d, d); // (B,h,N',d) each
            attended = b.matMul(b.softmax(b.mul(b.matMul(qkv.get(0), b.transpose(qkv.get(1), 0, 1, 3, 2)),
                    b.constFloat("tome_scale", (float) a.scale())), -1), qkv.get(2));
        } else {
            String slots = tokenOrder ? tokenOrderSlots(b, srcIdx, dstIdx, keptSrc, src, dst, nu) : null;
            attended = elfattSd(b, a, heads.q(), mergedX, slots, kept, elfattSd);
        }

        // unmerge: every token takes the result of the token it became
        String dstOut = nu > 0 ? b.slice(attended, new long[] {nu}, new long[] {kept}, new long[] {2}) : attended;
        String srcOut = gatherTokens(b, dstOut, into, h, d);
        // (B,h,N,d) in [kept sources, merged sources, destinations] order
        String ordered = nu > 0 ? b.concat(2, b.slice(attended, new long[] {0}, new long[] {nu}, new long[] {2}), srcOut, dstOut)
                : b.concat(2, srcOut, dstOut);
        String batchDst = b.op("Expand", b.reshape(dstIdx, 1, nd),
                b.concat(0, b.slice(b.op("Shape", best), new long[] {0}, new long[] {1}, new long[] {0}), b.constLongs("tome_nd", nd)));
        String positions = nu > 0 ? b.concat(1, b.gather(srcIdx, keptSrc, 0), b.gather(srcIdx, mergedSrc, 0), batchDst)
                : b.concat(1, b.gather(srcIdx, mergedSrc, 0), batchDst); // (B,N)
        String out = b.node("ScatterElements", ordered, expandTokens(b, positions, h, d), ordered).set("axis", 2L).output(0);
        String result = heads.packed() ? ElfattSdRewrite.fromHeads(b, out, (long) h * d) : out;
        String replaced = ElfattSdRewrite.replace(g, a.output(), result);
        b.scope("");
        LOG.debug("{}: merged {} of {} tokens into {} destinations{}", a.layer(), r, n, nd, elfattSd != null ? ", ELFATT-SD inside" : "");
        return new Merged(a.index(), a.layer(), a.output(), replaced, n, r, nd);
    }

    /**
     * ELFATT-SD over the merged tokens x (B,h,N',3d); agents pooled from the unmerged queries, so they still cover the
     * grid. With {@code slots} (where each merged token stands in token order) the local heads run on the merged
     * tokens in token order, so their chunks are spatially local; their result comes back in merged order.
     */
    private static String elfattSd(GraphBuilder b, AttentionBlock a, String fullQ, String x, String slots, int kept, ElfattSdOptions o) {
        int h = (int) a.heads();
        int d = (int) a.headDim();
        int agentHeads = h / 2;
        int localHeads = h - agentHeads;
        long[] axis = {1};
        String agents = ElfattSdRewrite.poolAgents(b, a, b.slice(fullQ, new long[] {0}, new long[] {agentHeads}, axis),
                ElfattSdRewrite.agentCount(a, o.agents()));
        List<String> ag = b.split(b.slice(x, new long[] {0}, new long[] {agentHeads}, axis), 3, d, d, d);
        String agentOut = ElfattSdRewrite.agentAttention(b, a, agents, ag.get(0), ag.get(1), ag.get(2), o);
        String local = b.slice(x, new long[] {agentHeads}, new long[] {h}, axis);
        if (slots != null) {
            local = b.node("ScatterElements", local, expandTokens(b, slots, localHeads, 3L * d), local).set("axis", 2L).output(0);
        }
        List<String> lq = b.split(local, 3, d, d, d);
        String localOut = ElfattSdRewrite.localHeads(b, a.withTokens(kept), lq.get(0), lq.get(1), lq.get(2), localHeads,
                Math.min(o.block(), kept));
        if (slots != null) {
            localOut = gatherTokens(b, localOut, slots, localHeads, d);
        }
        return b.concat(1, agentOut, localOut);
    }

    /**
     * Where each merged token [kept sources in token order | destinations] stands among them in token order, (B,N'):
     * a kept source after the kept sources and destinations before it, a destination likewise. Integer ops only, so
     * FP16 conversion cannot round a position.
     */
    private static String tokenOrderSlots(GraphBuilder b, String srcIdx, String dstIdx, String keptSrc, int[] src, int[] dst, int nu) {
        long[] dstBefore = new long[src.length]; // destinations ahead of each source: a constant of the split
        for (int i = 0, j = 0; i < src.length; i++) {
            while (j < dst.length && dst[j] < src[i]) {
                j++;
            }
            dstBefore[i] = j;
        }
        String table = b.initializer(TensorData.ofLongs(b.graph().uniqueName(b.scope() + "/dst_before"), new long[] {src.length},
                dstBefore));
        String srcSlots = b.add(b.gather(table, keptSrc, 0), b.constLongs("tome_kept_rank", range(nu))); // (B,Nu)
        String keptPos = b.gather(srcIdx, keptSrc, 0); // (B,Nu)
        String ahead = b.node("Cast", b.op("Less", unsqueeze(b, keptPos, 2), dstIdx)) // (B,Nu,Nd): destination j after kept source i
                .set("to", (long) TensorData.INT64).output(0);
        String dstSlots = b.add(b.node("ReduceSum", ahead, b.constLongs("tome_axis", 1)).set("keepdims", 0L).output(0),
                b.constLongs("tome_dst_rank", range(dst.length))); // (B,Nd)
        return b.concat(1, srcSlots, dstSlots);
    }

    /** x (B,h,M,w) at token indices idx (B,m) per batch row: (B,h,m,w). */
    private static String gatherTokens(GraphBuilder b, String x, String idx, long h, long w) {
        return b.node("GatherElements", x, expandTokens(b, idx, h, w)).set("axis", 2L).output(0);
    }

    /** idx (B,m) → (B,h,m,w), the index layout GatherElements/ScatterElements take on axis 2. */
    private static String expandTokens(GraphBuilder b, String idx, long h, long w) {
        String u = b.op("Unsqueeze", idx, b.constLongs("tome_axes", 1, 3)); // (B,1,m,1)
        return b.op("Expand", u, b.constLongs("tome_expand", 1, h, 1, w));
    }

    private static String unsqueeze(GraphBuilder b, String x, long axis) {
        return b.op("Unsqueeze", x, b.constLongs("tome_axis", axis));
    }

    /** A reduction over one axis; its axes moved from attribute to input in opset 18. */
    private static String reduce(GraphBuilder b, String op, String x, long axis, boolean keepDims, long opset) {
        Node n = opset >= 18 ? b.node(op, x, b.constLongs("tome_axis", axis)) : b.node(op, x).set("axes", new long[] {axis});
        return n.set("keepdims", keepDims ? 1L : 0L).output(0);
    }

    private static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    private static long[] range(int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
