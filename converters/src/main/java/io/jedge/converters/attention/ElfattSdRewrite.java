package io.jedge.converters.attention;

import io.jedge.converters.attention.AttentionBlock.Form;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training-free ELFATT-SD rewrite of existing self-attention blocks. The model's own Q, K, V
 * and output projections are kept; only the attention between them changes. Of h heads,
 * heads {@code 0..h/2-1} become <em>agent attention</em> and heads {@code h/2..h-1} become
 * <em>exact softmax inside blocks</em>, concatenated back in the original head order:
 *
 * <ul>
 *   <li>agents {@code A = P·Q} with a constant averaging matrix P (adaptive average pooling over the
 *       token grid, or over the sequence when there is no grid; class tokens are left out of the
 *       pooling but stay queries and keys), step 1 {@code V_A = softmax(s·A·Kᵀ)·V}, step 2
 *       {@code O = softmax(s^e·Q·Aᵀ)·V_A + shortcut·V} — AgentSD's two steps with its step-2 scale
 *       ({@code e = 0.3}) by default, s the model's own logit scale; AgentSD's V shortcut (0.075)
 *       is an option, off by default (see {@link ElfattSdOptions#shortcut()});</li>
 *   <li>local heads: {@code softmax(s·QKᵀ)V} inside 1-D chunks of {@code block} tokens over the
 *       sequence; the sequence is zero-padded to a multiple and padded keys are masked. No LePE
 *       (there are no trained weights for it).</li>
 * </ul>
 *
 * Works on decomposed attention (TorchScript and dynamo exports), the ONNX {@code Attention} op
 * and ONNX Runtime's {@code MultiHeadAttention}/{@code Attention}. Emits MatMul/Softmax/Reshape ops
 * of opset 13 and up. Not thread-safe on one graph; {@link #rewrite(OnnxModel, ElfattSdOptions)}
 * works on a copy.
 *
 * <pre>{@code
 * ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(OnnxModel.load(in), ElfattSdOptions.builder().block(64).build());
 * r.model().save(out);
 * }</pre>
 */
public final class ElfattSdRewrite {
    private static final Logger LOG = LoggerFactory.getLogger(ElfattSdRewrite.class);
    /** Additive mask for padded keys; finite so FP16 engines keep it (-1e4 is well inside FP16 range). */
    static final float PAD_MASK = -1e4f;

    private ElfattSdRewrite() {
    }

    /**
     * What a rewrite did.
     *
     * @param model     the rewritten model (a copy; the source is untouched)
     * @param blocks    the attention blocks found in the source model
     * @param converted the converted blocks with the tensors to compare per layer
     */
    public record Result(OnnxModel model, List<AttentionBlock> blocks, List<Converted> converted) {
        public Result {
            blocks = List.copyOf(blocks);
            converted = List.copyOf(converted);
        }

        public List<Integer> convertedLayers() {
            return converted.stream().map(Converted::index).toList();
        }
    }

    /**
     * One converted block.
     *
     * @param index           block index
     * @param layer           block label
     * @param originalOutput  attention result tensor in the source model
     * @param rewrittenOutput the tensor that replaces it in the rewritten model (same shape)
     * @param agentHeads      heads computed by agent attention
     * @param localHeads      heads computed by block-local softmax
     * @param agents          agent tokens
     * @param block           local block size used (after clamping to the token count)
     */
    public record Converted(int index, String layer, String originalOutput, String rewrittenOutput, int agentHeads,
            int localHeads, int agents, int block) {
    }

    /** Rewrites a copy of {@code source}. */
    public static Result rewrite(OnnxModel source, ElfattSdOptions options) {
        OnnxModel m = source.copy();
        List<AttentionBlock> blocks = AttentionFinder.find(m);
        long opset = m.opset();
        if (opset < 13) {
            throw new IllegalArgumentException("model opset " + opset + ", expected 13 or more (Softmax before 13 "
                    + "flattens trailing axes); re-export with a newer opset");
        }
        List<Converted> done = rewrite(m.graph(), blocks, options);
        m.graph().removeDeadNodes();
        return new Result(m, blocks, done);
    }

    /**
     * Rewrites the chosen blocks of {@code g} in place. {@code blocks} must come from
     * {@link AttentionFinder#find(Graph)} on this graph as it is now. Dead nodes are left for the
     * caller to remove.
     *
     * @throws IllegalArgumentException when a requested layer does not exist or is not supported
     */
    public static List<Converted> rewrite(Graph g, List<AttentionBlock> blocks, ElfattSdOptions options) {
        List<AttentionBlock> chosen = choose(blocks, options.layers());
        List<Converted> out = new ArrayList<>();
        GraphBuilder b = new GraphBuilder(g);
        for (AttentionBlock a : chosen) {
            out.add(convert(b, a, options));
        }
        return out;
    }

    static List<AttentionBlock> choose(List<AttentionBlock> blocks, List<Integer> layers) {
        if (layers.isEmpty()) {
            return blocks.stream().filter(AttentionBlock::supported).toList();
        }
        List<AttentionBlock> chosen = new ArrayList<>();
        for (int i : new LinkedHashSet<>(layers)) {
            if (i >= blocks.size()) {
                throw new IllegalArgumentException("layer " + i + " does not exist; the model has " + blocks.size()
                        + " attention blocks (0.." + (blocks.size() - 1) + ")");
            }
            AttentionBlock a = blocks.get(i);
            if (!a.supported()) {
                throw new IllegalArgumentException("layer " + i + " (" + a.layer() + ", " + a.form().id()
                        + ") cannot be rewritten: " + a.note());
            }
            chosen.add(a);
        }
        return chosen;
    }

    /** Q, K, V as (B,h,N,d) and whether the block's result is packed (B,N,h·d). */
    record Heads(String q, String k, String v, boolean packed) {
    }

    /** Q, K and V of {@code a} in (B,h,N,d), whatever form the exporter wrote them in. */
    static Heads heads(GraphBuilder b, AttentionBlock a) {
        int h = (int) a.heads();
        int d = (int) a.headDim();
        boolean packed = a.form() == Form.MS_MHA || a.form() == Form.MS_ATTENTION;
        return switch (a.form()) {
            case LEGACY_DECOMPOSED, DYNAMO_DECOMPOSED ->
                    new Heads(a.query(), a.keyTransposed() ? b.transpose(a.key(), 0, 1, 3, 2) : a.key(), a.value(), false);
            case ONNX_ATTENTION -> {
                boolean threeD = isThreeD(b.graph(), a);
                yield threeD ? new Heads(toHeads(b, a.query(), h, d), toHeads(b, a.key(), h, d), toHeads(b, a.value(), h, d), true)
                        : new Heads(a.query(), a.key(), a.value(), false);
            }
            case MS_MHA -> new Heads(toHeads(b, a.query(), h, d), toHeads(b, a.key(), h, d), toHeads(b, a.value(), h, d), packed);
            case MS_ATTENTION -> {
                String qkv = b.matMul(a.query(), a.key());
                if (!a.value().isEmpty()) {
                    qkv = b.add(qkv, a.value());
                }
                long hid = (long) h * d;
                List<String> parts = b.split(qkv, -1, hid, hid, hid);
                yield new Heads(toHeads(b, parts.get(0), h, d), toHeads(b, parts.get(1), h, d), toHeads(b, parts.get(2), h, d), packed);
            }
            default -> throw new IllegalArgumentException("layer " + a.index() + ": form " + a.form().id() + " is not rewritable");
        };
    }

    private static Converted convert(GraphBuilder b, AttentionBlock a, ElfattSdOptions o) {
        int h = (int) a.heads();
        int n = (int) a.tokens();
        int d = (int) a.headDim();
        b.scope(a.layer() + "/elfatt_sd");
        Heads qkv = heads(b, a);
        String q = qkv.q();
        String k = qkv.k();
        String v = qkv.v();
        boolean packed = qkv.packed();
        int agentHeads = h / 2;
        int localHeads = h - agentHeads;
        int agents = agentCount(a, o.agents());
        int block = Math.min(o.block(), n);

        String qa = b.slice(q, new long[] {0}, new long[] {agentHeads}, new long[] {1});
        String ka = b.slice(k, new long[] {0}, new long[] {agentHeads}, new long[] {1});
        String va = b.slice(v, new long[] {0}, new long[] {agentHeads}, new long[] {1});
        String ql = b.slice(q, new long[] {agentHeads}, new long[] {h}, new long[] {1});
        String kl = b.slice(k, new long[] {agentHeads}, new long[] {h}, new long[] {1});
        String vl = b.slice(v, new long[] {agentHeads}, new long[] {h}, new long[] {1});

        String agentOut = agentHeads(b, a, qa, ka, va, agents, o);
        String localOut = localHeads(b, a, ql, kl, vl, localHeads, block);
        String merged = b.concat(1, agentOut, localOut);
        String result = packed ? fromHeads(b, merged, (long) h * d) : merged;
        String replaced = replace(b.graph(), a.output(), result);
        b.scope("");
        LOG.debug("{}: {} agent heads with {} agents, {} local heads in blocks of {}", a.layer(), agentHeads, agents,
                localHeads, block);
        return new Converted(a.index(), a.layer(), a.output(), replaced, agentHeads, localHeads, agents, block);
    }

    private static boolean isThreeD(Graph g, AttentionBlock a) {
        return g.nodes().stream().filter(x -> x.name().equals(a.node())).findFirst()
                .map(x -> x.has("q_num_heads")).orElse(false);
    }

    /** (B,N,h·d) → (B,h,N,d). */
    static String toHeads(GraphBuilder b, String x, long h, long d) {
        return b.transpose(b.reshape(x, 0, 0, h, d), 0, 2, 1, 3);
    }

    /** (B,h,N,d) → (B,N,h·d). */
    static String fromHeads(GraphBuilder b, String x, long hd) {
        return b.reshape(b.transpose(x, 0, 2, 1, 3), 0, 0, hd);
    }

    /**
     * Points every reader of {@code original} at {@code replacement}. A graph output keeps its name:
     * the old producer is renamed and the replacement is copied into the original name.
     */
    static String replace(Graph g, String original, String replacement) {
        boolean isOutput = g.outputs().stream().anyMatch(vi -> vi.getName().equals(original));
        g.replaceUses(original, replacement, Set.of());
        if (!isOutput) {
            return replacement;
        }
        String renamed = g.uniqueName(original + "_vanilla");
        for (Node x : g.nodes()) {
            x.outputs().replaceAll(t -> t.equals(original) ? renamed : t);
        }
        g.add(new Node(g.uniqueName(original + "_elfatt_sd"), "Identity", "", List.of(replacement), List.of(original)));
        return original;
    }

    static int agentCount(AttentionBlock a, int requested) {
        int pooled = (int) a.tokens() - a.prefixTokens();
        if (requested > 0) {
            return Math.min(requested, pooled);
        }
        if (a.gridHeight() > 0) {
            long side = Math.max(2, Math.round(Math.sqrt(pooled / 16.0)));
            side = Math.min(side, Math.min(a.gridHeight(), a.gridWidth()));
            return (int) (side * side);
        }
        return (int) Math.max(1, Math.min(pooled, Math.round(pooled / 16.0)));
    }

    private static String agentHeads(GraphBuilder b, AttentionBlock a, String q, String k, String v, int agents,
            ElfattSdOptions o) {
        return agentAttention(b, a, poolAgents(b, a, q, agents), q, k, v, o);
    }

    /** Agent tokens {@code P·q}: q (B,h1,N,d) pooled over {@code a}'s grid (or sequence) to (B,h1,agents,d). */
    static String poolAgents(GraphBuilder b, AttentionBlock a, String q, int agents) {
        int n = (int) a.tokens();
        float[] pool = poolingMatrix(n, a.prefixTokens(), a.gridHeight(), a.gridWidth(), agents);
        String p = b.weight(b.graph().uniqueName(a.layer() + "/elfatt_sd/agent_pool"), new long[] {agents, n}, pool);
        return b.matMul(p, q);
    }

    /** AgentSD's two steps with the given agent tokens; q, k, v (B,h1,M,d) may hold fewer tokens than the agents were pooled from. */
    static String agentAttention(GraphBuilder b, AttentionBlock a, String agentsQ, String q, String k, String v, ElfattSdOptions o) {
        float s1 = (float) a.scale();
        float s2 = (float) Math.pow(a.scale(), o.agentScaleExponent());
        String step1 = b.softmax(b.mul(b.matMul(agentsQ, b.transpose(k, 0, 1, 3, 2)), b.constFloat("agent_scale1", s1)), -1);
        String agentV = b.matMul(step1, v); // (B,h1,n_a,d)
        String step2 = b.softmax(b.mul(b.matMul(q, b.transpose(agentsQ, 0, 1, 3, 2)), b.constFloat("agent_scale2", s2)), -1);
        String out = b.matMul(step2, agentV); // (B,h1,N,d)
        if (o.shortcut() > 0) {
            out = b.add(out, b.mul(v, b.constFloat("agent_shortcut", (float) o.shortcut())));
        }
        return out;
    }

    static String localHeads(GraphBuilder b, AttentionBlock a, String q, String k, String v, int heads, int block) {
        int n = (int) a.tokens();
        int d = (int) a.headDim();
        String scale = b.constFloat("local_scale", (float) a.scale());
        int blocks = (n + block - 1) / block;
        int padded = blocks * block;
        if (blocks == 1) {
            String pr = b.softmax(b.mul(b.matMul(q, b.transpose(k, 0, 1, 3, 2)), scale), -1);
            return b.matMul(pr, v);
        }
        int pad = padded - n;
        String qp = pad > 0 ? padTokens(b, q, pad) : q;
        String kp = pad > 0 ? padTokens(b, k, pad) : k;
        String vp = pad > 0 ? padTokens(b, v, pad) : v;
        String q5 = b.reshape(qp, 0, heads, blocks, block, d);
        String k5 = b.reshape(kp, 0, heads, blocks, block, d);
        String v5 = b.reshape(vp, 0, heads, blocks, block, d);
        String logits = b.mul(b.matMul(q5, b.transpose(k5, 0, 1, 2, 4, 3)), scale); // (B,h2,nb,s,s)
        if (pad > 0) {
            float[] mask = new float[blocks * block * block];
            for (int blk = 0; blk < blocks; blk++) {
                for (int i = 0; i < block; i++) {
                    for (int j = 0; j < block; j++) {
                        mask[(blk * block + i) * block + j] = blk * block + j >= n ? PAD_MASK : 0f;
                    }
                }
            }
            String m = b.weight(b.graph().uniqueName(a.layer() + "/elfatt_sd/pad_mask"), new long[] {blocks, block, block}, mask);
            logits = b.add(logits, m);
        }
        String o5 = b.matMul(b.softmax(logits, -1), v5);
        String o = b.reshape(o5, 0, heads, padded, d);
        return pad > 0 ? b.slice(o, new long[] {0}, new long[] {n}, new long[] {2}) : o;
    }

    private static String padTokens(GraphBuilder b, String x, int pad) {
        return b.op("Pad", x, b.constLongs("pads", 0, 0, 0, 0, 0, 0, pad, 0));
    }

    /**
     * The (agents × tokens) averaging matrix: adaptive average pooling (PyTorch's bin edges) of the
     * grid tokens to a √agents × √agents grid, or of the token sequence to {@code agents} bins when
     * there is no grid or {@code agents} is not a square that fits it. Prefix tokens get weight 0.
     */
    static float[] poolingMatrix(int tokens, int prefix, long gridH, long gridW, int agents) {
        float[] p = new float[agents * tokens];
        int side = (int) Math.round(Math.sqrt(agents));
        if (gridH > 0 && gridW > 0 && side * side == agents && side <= gridH && side <= gridW) {
            for (int i = 0; i < side; i++) {
                int r0 = (int) Math.floor((double) i * gridH / side);
                int r1 = (int) Math.ceil((double) (i + 1) * gridH / side);
                for (int j = 0; j < side; j++) {
                    int c0 = (int) Math.floor((double) j * gridW / side);
                    int c1 = (int) Math.ceil((double) (j + 1) * gridW / side);
                    float w = 1f / ((r1 - r0) * (c1 - c0));
                    for (int r = r0; r < r1; r++) {
                        for (int c = c0; c < c1; c++) {
                            p[(i * side + j) * tokens + prefix + (int) (r * gridW + c)] = w;
                        }
                    }
                }
            }
            return p;
        }
        int m = tokens - prefix;
        for (int i = 0; i < agents; i++) {
            int t0 = (int) Math.floor((double) i * m / agents);
            int t1 = (int) Math.ceil((double) (i + 1) * m / agents);
            for (int t = t0; t < t1; t++) {
                p[i * tokens + prefix + t] = 1f / (t1 - t0);
            }
        }
        return p;
    }
}
