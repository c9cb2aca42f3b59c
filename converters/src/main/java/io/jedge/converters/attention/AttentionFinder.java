package io.jedge.converters.attention;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.jedge.converters.attention.AttentionBlock.Form;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.Shapes;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Finds attention blocks in an ONNX graph as PyTorch exports them: decomposed
 * {@code MatMul → scale → [Add bias/mask] → Softmax → [Cast, Dropout, NaN guard] → MatMul}
 * (TorchScript and dynamo exporters, timm and transformers, Swin window attention with relative
 * position bias and shifted-window masks), the ONNX {@code Attention} op (opset 23) and ONNX
 * Runtime's {@code com.microsoft} {@code MultiHeadAttention} and {@code Attention}. A mask that is
 * zero everywhere (transformers adds one to every model) is no mask. Variants the rewrite cannot
 * keep (talking heads, channel attention, per-head learned scales, window layouts, V·Pᵀ) are
 * returned with the reason in {@link AttentionBlock#note()}; a Softmax over the product of two
 * activations that matches none of these is an {@link Form#UNRECOGNISED} block, never dropped.
 *
 * <pre>{@code
 * List<AttentionBlock> blocks = AttentionFinder.find(OnnxModel.load(path));
 * System.out.print(AttentionFinder.table(blocks));
 * }</pre>
 *
 * Stateless and thread-safe; searching sorts the graph's node list topologically (node order is
 * free in {@link Graph}) but changes nothing else.
 */
public final class AttentionFinder {
    private static final int MAX_PREFIX_HEURISTIC = 2;
    private static final int MAX_PREFIX_WITH_CONV_GRID = 16;

    private AttentionFinder() {
    }

    public static List<AttentionBlock> find(OnnxModel model) {
        return find(model.graph());
    }

    public static List<AttentionBlock> find(Graph g) {
        Shapes shapes = Shapes.infer(g);
        Graph.Index idx = g.index();
        List<long[]> convGrids = convGrids(g, shapes);
        List<AttentionBlock> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            Optional<Draft> d = Optional.empty();
            if (n.is("Softmax")) {
                d = decomposed(g, shapes, idx, n);
            } else if (n.is("Attention")) {
                d = Optional.of(onnxAttention(g, shapes, n));
            } else if (n.domain().equals("com.microsoft") && n.opType().equals("MultiHeadAttention")) {
                d = Optional.of(msMha(shapes, n));
            } else if (n.domain().equals("com.microsoft") && n.opType().equals("Attention")) {
                d = Optional.of(msAttention(shapes, n));
            }
            if (d.isPresent()) {
                out.add(d.get().build(out.size(), g, shapes, idx, convGrids));
            }
        }
        return List.copyOf(out);
    }

    /** Mutable working record of one match; turned into an {@link AttentionBlock} by {@link #build}. */
    private static final class Draft {
        Form form;
        Node node;
        final List<String> nodes = new ArrayList<>();
        String query = "";
        String key = "";
        String value = "";
        String output = "";
        long tokens = -1;
        long keyTokens = -1;
        long heads = -1;
        long headDim = -1;
        double scale = 1;
        boolean fused;
        boolean bias;
        boolean mask;
        boolean keyTransposed;
        boolean threeD;
        String problem = "";

        Draft(Form form, Node node) {
            this.form = form;
            this.node = node;
            nodes.add(node.name());
        }

        AttentionBlock build(int index, Graph g, Shapes s, Graph.Index idx, List<long[]> convGrids) {
            String layer = layerName(node.name(), index);
            if (form == Form.UNRECOGNISED) {
                return new AttentionBlock(index, layer, form, node.name(), nodes, query, key, value, output, "", tokens,
                        keyTokens, heads, headDim, scale, fused, bias, mask, false, keyTransposed, -1, -1, 0, false, problem);
            }
            String qSrc = form == Form.MS_ATTENTION ? query : projectionInput(g, idx, query);
            String kSrc = form == Form.MS_ATTENTION ? query : projectionInput(g, idx, key);
            boolean self = form == Form.MS_ATTENTION || (qSrc != null && qSrc.equals(kSrc))
                    || (qSrc == null && kSrc == null && tokens > 0 && tokens == keyTokens);
            long[] grid = grid(tokens, convGrids);
            String proj = outputProjection(g, idx, output);
            List<String> why = new ArrayList<>();
            if (!problem.isEmpty()) {
                why.add(problem);
            }
            if (!self && tokens == 1) {
                // CaiT/XCiT class attention, SigLIP's pooling head, CrossViT's fusion, LeViT's subsampling
                why.add("cross-attention of one query token to "
                        + (keyTokens < 0 ? "the" : keyTokens) + " keys; only self-attention is rewritten");
            } else if (!self) {
                why.add("cross-attention (Q and K come from different tensors); only self-attention is rewritten");
            }
            if (bias) {
                why.add("additive logit bias (relative position bias) has no counterpart in the agent head");
            }
            if (mask) {
                why.add("masked attention");
            }
            if (heads >= 0 && heads < 2) {
                why.add("one head; the rewrite splits heads in half and needs at least 2");
            }
            if (heads < 0 || tokens < 0 || headDim < 0) {
                why.add("heads/tokens/head dim not determinable statically (heads " + heads + ", tokens " + tokens
                        + ", head dim " + headDim + ")");
            }
            if (Double.isNaN(scale)) {
                why.add("logit scale is not a constant");
            }
            if (self && tokens > 0 && keyTokens > 0 && tokens != keyTokens) {
                why.add("query tokens " + tokens + " differ from key tokens " + keyTokens);
            }
            return new AttentionBlock(index, layer, form, node.name(), nodes, query, key, value, output, proj, tokens,
                    keyTokens, heads, headDim, scale, fused, bias, mask, self, keyTransposed, grid[0], grid[1], (int) grid[2],
                    why.isEmpty(), String.join("; ", why));
        }
    }

    // ---------------------------------------------------------------- decomposed

    private static Optional<Draft> decomposed(Graph g, Shapes s, Graph.Index idx, Node softmax) {
        String x = softmax.input(0);
        Draft d = new Draft(Form.DYNAMO_DECOMPOSED, softmax);
        boolean dynamicScale = false;
        boolean talkingHeads = false;
        boolean permuted = false;
        String headScale = "";
        Node qk = null;
        // walk from the Softmax input back to the QKᵀ product through scale, bias, mask and reshapes
        for (int step = 0; step < 16 && qk == null; step++) {
            Node p = idx.producer(x).orElse(null);
            if (p == null) {
                return Optional.empty();
            }
            if (p.is("MatMul") || p.is("Einsum")) {
                boolean c0 = isConstantDerived(g, idx, p.input(0));
                boolean c1 = isConstantDerived(g, idx, p.input(1));
                if (!c0 && !c1) {
                    qk = p;
                } else if (!c0 && p.is("MatMul") && mixesHeadsOfProduct(g, idx, p.input(0))) {
                    // CaiT's talking heads: a learned projection across the head axis of the logits
                    talkingHeads = true;
                    d.nodes.add(p.name());
                    x = p.input(0);
                } else {
                    return Optional.empty(); // a projection (e.g. a classifier head), not attention
                }
            } else if (p.is("Mul") || p.is("Div")) {
                int other = constantSide(g, s, idx, p);
                if (other >= 0) {
                    double v = s.scalar(p.input(other));
                    dynamicScale |= !g.constant(p.input(other)).isPresent();
                    d.scale *= p.is("Div") ? 1 / v : v;
                    x = p.input(1 - other);
                } else if (isConstantDerived(g, idx, p.input(1)) || isConstantDerived(g, idx, p.input(0))) {
                    // a learned scale per head (XCiT's temperature, SwinV2's logit scale), shape (h,1,1)
                    int c = isConstantDerived(g, idx, p.input(1)) ? 1 : 0;
                    headScale = Arrays.toString(s.dims(p.input(c)));
                    d.scale = Double.NaN;
                    x = p.input(1 - c);
                } else {
                    return Optional.of(unknownLogits(d, p));
                }
                d.nodes.add(p.name());
            } else if (p.is("Add")) {
                int chain = leadsToProduct(g, idx, p.input(0)) ? 0 : leadsToProduct(g, idx, p.input(1)) ? 1 : -1;
                if (chain < 0) {
                    // the bias of a talking-heads projection: Add(MatMul(Transpose(QKᵀ), W), b)
                    chain = headMixingProjection(g, idx, p.input(0)) ? 0 : headMixingProjection(g, idx, p.input(1)) ? 1 : -1;
                    talkingHeads |= chain >= 0;
                }
                if (chain < 0) {
                    return Optional.of(unknownLogits(d, p));
                }
                String other = p.input(1 - chain);
                boolean projectionBias = talkingHeads && idx.producer(p.input(chain)).map(m -> m.is("MatMul")).orElse(false);
                if (!projectionBias) {
                    addend(g, s, idx, other, d, 0);
                }
                d.nodes.add(p.name());
                x = p.input(chain);
            } else if (p.is("Reshape") || p.is("Cast") || p.is("Identity")) {
                d.nodes.add(p.name());
                x = p.input(0);
            } else if (p.is("Transpose")) {
                permuted = true;
                d.nodes.add(p.name());
                x = p.input(0);
            } else if (p.is("Where")) {
                boolean keep = leadsToProduct(g, idx, p.input(1));
                double[] cond = s.bounds(p.input(0));
                boolean allKept = cond != null && (keep ? cond[0] > 0 : cond[1] == 0);
                d.mask |= !allKept;
                d.nodes.add(p.name());
                x = keep ? p.input(1) : p.input(2);
            } else {
                return Optional.of(unknownLogits(d, p));
            }
        }
        if (qk == null) {
            return Optional.empty();
        }
        d.nodes.add(qk.name());
        int rank = s.rank(softmax.input(0));
        long axis = softmax.attrInt("axis", -1);
        if (qk.is("Einsum")) {
            return Optional.of(unrecognised(d, "logits come from Einsum '" + qk.attrString("equation", "?")
                    + "'; only MatMul logits are understood"));
        }
        if (rank > 0 && axis != -1 && axis != rank - 1) {
            return Optional.of(unrecognised(d, "Softmax over axis " + axis + " of a rank-" + rank
                    + " tensor; attention normalises over the last axis"));
        }
        if (permuted && !talkingHeads) {
            return Optional.of(unrecognised(d, "the logits are transposed between QKᵀ and the Softmax"));
        }
        // Q side: strip scalar scales; K side: strip scalar scales and the transpose of the last two axes
        String q = qk.input(0);
        for (Node p; (p = idx.producer(q).orElse(null)) != null && (p.is("Mul") || p.is("Div")) && constantSide(g, s, idx, p) >= 0;) {
            int c = constantSide(g, s, idx, p);
            double v = s.scalar(p.input(c));
            dynamicScale |= !g.constant(p.input(c)).isPresent();
            d.scale *= p.is("Div") ? 1 / v : v;
            d.nodes.add(p.name());
            q = p.input(1 - c);
        }
        String k = qk.input(1);
        boolean transposed = false;
        for (int step = 0; step < 4; step++) {
            Node p = idx.producer(k).orElse(null);
            if (p == null) {
                break;
            }
            if ((p.is("Mul") || p.is("Div")) && constantSide(g, s, idx, p) >= 0) {
                int c = constantSide(g, s, idx, p);
                double v = s.scalar(p.input(c));
                dynamicScale |= !g.constant(p.input(c)).isPresent();
                d.scale *= p.is("Div") ? 1 / v : v;
                d.nodes.add(p.name());
                k = p.input(1 - c);
            } else if (!transposed && p.is("Transpose") && swapsLastTwo(p, s.rank(p.input(0)))) {
                transposed = true;
                d.nodes.add(p.name());
                k = p.input(0);
            } else {
                break;
            }
        }
        d.keyTransposed = !transposed;
        d.query = q;
        d.key = k;
        // the probabilities must reach exactly one MatMul with V, through ops that leave them unchanged
        String probs = softmax.output(0);
        for (int step = 0; step < 8; step++) {
            List<Node> seen = passThrough(g, s, idx, probs, talkingHeads);
            if (seen.isEmpty()) {
                break;
            }
            seen.forEach(n -> d.nodes.add(n.name()));
            probs = seen.get(seen.size() - 1).output(0);
        }
        List<Node> users = idx.consumers(probs);
        Node pv = users.size() == 1 && users.get(0).is("MatMul") && users.get(0).input(0).equals(probs) ? users.get(0) : null;
        Node vpt = pv == null ? valueTimesTransposed(s, idx, users, probs) : null;
        if (pv == null && vpt == null) {
            StringBuilder what = new StringBuilder();
            users.forEach(u -> what.append(what.length() == 0 ? "" : ", ").append(u));
            return Optional.of(unrecognised(d, "Softmax output feeds " + (users.isEmpty() ? "nothing" : what)
                    + "; expected one MatMul with V"));
        }
        List<String> problems = new ArrayList<>();
        if (pv != null) {
            d.nodes.add(pv.name());
            d.value = pv.input(1);
            d.output = pv.output(0);
        } else {
            d.nodes.add(users.get(0).name());
            d.nodes.add(vpt.name());
            d.value = vpt.input(0);
            d.output = vpt.output(0);
            problems.add("probabilities are applied as V·Pᵀ (EfficientViT's cascaded group attention); the rewrite expects P·V");
        }
        int qr = s.rank(q);
        d.threeD = qr == 3;
        boolean channels = pv != null && mergesChannelsFirst(idx, d.output);
        if (qr == 4) {
            d.heads = s.dim(q, 1);
            d.tokens = s.dim(q, channels ? 3 : 2);
            d.headDim = s.dim(q, channels ? 2 : 3);
        } else if (qr == 3) {
            d.tokens = s.dim(q, 1);
            d.headDim = s.dim(q, 2);
            problems.add("3-D (B,N,d) logits: one head, or heads folded into the batch; the head count is not visible");
        } else if (qr == 5) {
            d.heads = s.dim(q, 2);
            d.tokens = s.dim(q, 3);
            d.headDim = s.dim(q, 4);
            problems.add("attention inside " + (s.dim(q, 1) < 0 ? "" : s.dim(q, 1) + " ")
                    + "windows ((B,windows,h,N,d) layout, Twins' locally grouped attention); the rewrite expects (B,h,N,d)");
        } else {
            problems.add("query rank " + qr + " (expected (B,h,N,d))");
        }
        d.keyTokens = channels ? d.tokens : s.dim(k, d.keyTransposed ? -1 : -2);
        if (channels) {
            problems.add("channel attention (XCiT cross-covariance): the Softmax runs over d×d channel logits, not over tokens");
        }
        if (talkingHeads) {
            problems.add("talking-heads attention (CaiT): learned projections mix the heads before and after the Softmax; "
                    + "the rewrite works head by head");
        }
        if (!headScale.isEmpty()) {
            problems.add("learned logit scale per head (shape " + headScale + "); the rewrite needs one constant scale");
        }
        d.problem = String.join("; ", problems);
        if (d.bias) {
            d.form = Form.WINDOW_BIASED;
        } else if (dynamicScale || softmax.name().startsWith("/")) {
            // TorchScript names nodes by module path ("/blocks/blocks.0/attn/Softmax") and computes
            // the SDPA scale from Shape arithmetic; dynamo uses constants and flat names
            d.form = Form.LEGACY_DECOMPOSED;
        }
        return Optional.of(d);
    }

    /**
     * Classifies what is added to the logits: a mask, a learned bias, or a mask of zeros that
     * changes nothing (transformers builds one for every model). Sums are split into their terms:
     * dynamo folds Swin's relative position bias and shifted-window mask into one Add.
     */
    private static void addend(Graph g, Shapes s, Graph.Index idx, String t, Draft d, int depth) {
        Node p = idx.producer(t).orElse(null);
        if (p != null && p.is("Add") && depth < 4) {
            addend(g, s, idx, p.input(0), d, depth + 1);
            addend(g, s, idx, p.input(1), d, depth + 1);
        } else if (allowsEveryKey(g, s, idx, t)) {
            return;
        } else if (looksLikeMask(g, s, idx, t)) {
            d.mask = true;
        } else {
            d.bias = true;
        }
    }

    /** Logits that come from a product of activations through an op this finder does not follow. */
    private static Draft unknownLogits(Draft d, Node p) {
        return unrecognised(d, "the logits pass through " + p + " on the way from QKᵀ to the Softmax");
    }

    private static boolean headMixingProjection(Graph g, Graph.Index idx, String t) {
        Node p = idx.producer(t).orElse(null);
        return p != null && p.is("MatMul") && isConstantDerived(g, idx, p.input(1)) && mixesHeadsOfProduct(g, idx, p.input(0));
    }

    /** Whether {@code t} is the logits product with its head axis moved last (Transpose, then QKᵀ). */
    private static boolean mixesHeadsOfProduct(Graph g, Graph.Index idx, String t) {
        Node p = idx.producer(t).orElse(null);
        if (p == null || !p.is("Transpose")) {
            return false;
        }
        Node m = idx.producer(p.input(0)).orElse(null);
        return m != null && m.is("MatMul") && !isConstantDerived(g, idx, m.input(0)) && !isConstantDerived(g, idx, m.input(1));
    }

    /**
     * The nodes after {@code probs} that leave the probabilities unchanged, up to the next tensor:
     * a float Cast, Identity, inference Dropout, or {@code Where(IsNaN(P), 0, P)} (the SDPA exports'
     * guard for fully masked rows); with talking heads also their projection (Transpose, MatMul,
     * bias Add). Empty when the next op is none of these.
     */
    private static List<Node> passThrough(Graph g, Shapes s, Graph.Index idx, String probs, boolean talkingHeads) {
        List<Node> users = idx.consumers(probs);
        if (users.size() == 1) {
            Node u = users.get(0);
            boolean floatCast = u.is("Cast") && Shapes.isFloat(u.attrInt("to", 0));
            boolean headMixing = talkingHeads && (u.is("Transpose")
                    || (u.is("MatMul") && isConstantDerived(g, idx, u.input(1)))
                    || (u.is("Add") && (isConstantDerived(g, idx, u.input(0)) || isConstantDerived(g, idx, u.input(1)))));
            return floatCast || u.is("Identity") || u.is("Dropout") || headMixing ? List.of(u) : List.of();
        }
        if (users.size() == 2) {
            Node isNan = users.stream().filter(u -> u.is("IsNaN")).findFirst().orElse(null);
            Node where = users.stream().filter(u -> u.is("Where")).findFirst().orElse(null);
            if (isNan != null && where != null && where.input(0).equals(isNan.output(0)) && where.input(2).equals(probs)
                    && s.scalar(where.input(1)) == 0) {
                return List.of(isNan, where);
            }
        }
        return List.of();
    }

    /** {@code MatMul(V, Transpose(P))} with the last two axes of P swapped, or null. */
    private static Node valueTimesTransposed(Shapes s, Graph.Index idx, List<Node> users, String probs) {
        if (users.size() != 1 || !users.get(0).is("Transpose") || !swapsLastTwo(users.get(0), s.rank(probs))) {
            return null;
        }
        List<Node> next = idx.consumers(users.get(0).output(0));
        return next.size() == 1 && next.get(0).is("MatMul") && next.get(0).input(1).equals(users.get(0).output(0))
                ? next.get(0) : null;
    }

    /** Whether the (B,h,a,b) result is merged back as (B,b,h,a): the tokens are its last axis (XCiT). */
    private static boolean mergesChannelsFirst(Graph.Index idx, String output) {
        List<Node> users = idx.consumers(output);
        return users.size() == 1 && users.get(0).is("Transpose") && users.get(0).attrInts("perm").equals(List.of(0L, 3L, 1L, 2L));
    }

    /**
     * A mask whose every element is statically zero: it keeps every key and changes nothing. A
     * learned bias that happens to be zero (an untrained relative position table) is not one: it
     * will not be zero after training, so anything read from a float weight counts as a bias.
     */
    private static boolean allowsEveryKey(Graph g, Shapes s, Graph.Index idx, String mask) {
        double[] b = s.bounds(mask);
        return b != null && b[0] == 0 && b[1] == 0 && !readsFloatWeight(g, idx, mask);
    }

    /** Whether a float tensor of more than one element (a weight, not a fill value) feeds {@code t}. */
    private static boolean readsFloatWeight(Graph g, Graph.Index idx, String t) {
        Deque<String> work = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        work.push(t);
        while (!work.isEmpty() && seen.size() < 256) {
            String x = work.pop();
            if (x.isEmpty() || !seen.add(x)) {
                continue;
            }
            Optional<TensorProto> c = g.constant(x);
            if (c.isPresent()) {
                if (Shapes.isFloat(c.get().getDataType()) && TensorData.elementCount(c.get()) > 1) {
                    return true;
                }
                continue;
            }
            // a Shape reads no values: what follows it is shape arithmetic
            idx.producer(x).filter(p -> !p.is("Shape")).ifPresent(p -> p.inputs().forEach(work::push));
        }
        return !work.isEmpty();
    }

    private static Draft unrecognised(Draft d, String why) {
        d.form = Form.UNRECOGNISED;
        d.problem = why;
        return d;
    }

    private static boolean swapsLastTwo(Node t, int rank) {
        List<Long> perm = t.attrInts("perm");
        if (perm.isEmpty()) {
            return rank == 2;
        }
        int r = perm.size();
        for (int i = 0; i < r - 2; i++) {
            if (perm.get(i) != i) {
                return false;
            }
        }
        return perm.get(r - 2) == r - 1 && perm.get(r - 1) == r - 2;
    }

    /** Index of the input that is a known scalar (the scale), or -1. */
    private static int constantSide(Graph g, Shapes s, Graph.Index idx, Node p) {
        for (int i = 1; i >= 0; i--) {
            double v = s.scalar(p.input(i));
            long[] dims = s.dims(p.input(i));
            boolean scalarShape = dims != null && (dims.length == 0 || (dims.length == 1 && dims[0] == 1));
            if (scalarShape && (!Double.isNaN(v) || isConstantDerived(g, idx, p.input(i)))) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the tensor leads back (through elementwise/reshaping ops) to a product of two activations. */
    private static boolean leadsToProduct(Graph g, Graph.Index idx, String t) {
        for (int step = 0; step < 8; step++) {
            Node p = idx.producer(t).orElse(null);
            if (p == null) {
                return false;
            }
            if (p.is("MatMul") || p.is("Einsum")) {
                return !isConstantDerived(g, idx, p.input(0)) && !isConstantDerived(g, idx, p.input(1));
            }
            if (p.is("Add") || p.is("Mul") || p.is("Div") || p.is("Where")) {
                // follow the non-constant side
                String next = null;
                for (String in : p.inputs()) {
                    if (!isConstantDerived(g, idx, in) && (next == null || leadsToProduct(g, idx, in))) {
                        next = in;
                    }
                }
                if (next == null) {
                    return false;
                }
                t = next;
            } else if (p.is("Reshape") || p.is("Cast") || p.is("Identity")) {
                t = p.input(0);
            } else {
                return false;
            }
        }
        return false;
    }

    /** True when every path back from {@code t} ends in initializers or Constant nodes. */
    static boolean isConstantDerived(Graph g, Graph.Index idx, String t) {
        Deque<String> work = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        work.push(t);
        Set<String> graphInputs = new HashSet<>();
        g.inputs().forEach(v -> graphInputs.add(v.getName()));
        while (!work.isEmpty()) {
            String x = work.pop();
            if (x.isEmpty() || !seen.add(x) || g.isInitializer(x)) {
                continue;
            }
            if (graphInputs.contains(x)) {
                return false;
            }
            Node p = idx.producer(x).orElse(null);
            if (p == null) {
                return false;
            }
            if (seen.size() > 64) {
                return false;
            }
            for (String in : p.inputs()) {
                work.push(in);
            }
        }
        return true;
    }

    /** A mask rather than a learned bias: fed by a graph input, or holding large negative values. */
    private static boolean looksLikeMask(Graph g, Shapes s, Graph.Index idx, String t) {
        if (!isConstantDerived(g, idx, t)) {
            return true;
        }
        double[] bounds = s.bounds(t);
        if (bounds != null && bounds[0] <= -50f && !readsFloatWeight(g, idx, t)) {
            return true; // computed, e.g. Where(keys < n, 0, -inf)
        }
        String x = t;
        for (int step = 0; step < 4; step++) {
            Optional<TensorProto> c = g.constant(x);
            if (c.isPresent()) {
                float[] v = g.floats(c.get());
                float min = 0;
                for (float f : v) {
                    min = Math.min(min, f);
                }
                return min <= -50f; // Swin's shifted-window mask uses -100; -inf/-1e4 elsewhere
            }
            Node p = idx.producer(x).orElse(null);
            if (p == null || !(p.is("Unsqueeze") || p.is("Reshape") || p.is("Cast") || p.is("Identity") || p.is("Expand"))) {
                return false;
            }
            x = p.input(0);
        }
        return false;
    }

    // ---------------------------------------------------------------- fused ops

    private static Draft onnxAttention(Graph g, Shapes s, Node n) {
        Draft d = new Draft(Form.ONNX_ATTENTION, n);
        d.fused = true;
        d.query = n.input(0);
        d.key = n.input(1);
        d.value = n.input(2);
        d.output = n.output(0);
        int r = s.rank(d.query);
        d.threeD = r == 3;
        if (r == 4) {
            d.heads = s.dim(d.query, 1);
            d.tokens = s.dim(d.query, 2);
            d.headDim = s.dim(d.query, 3);
            d.keyTokens = s.dim(d.key, 2);
            long kvHeads = s.dim(d.key, 1);
            if (kvHeads > 0 && d.heads > 0 && kvHeads != d.heads) {
                d.problem = "grouped-query attention (" + d.heads + " query heads, " + kvHeads + " key heads)";
            }
        } else if (r == 3) {
            d.heads = n.attrInt("q_num_heads", -1);
            long kvHeads = n.attrInt("kv_num_heads", -1);
            d.tokens = s.dim(d.query, 1);
            d.keyTokens = s.dim(d.key, 1);
            long c = s.dim(d.query, 2);
            d.headDim = d.heads > 0 && c > 0 ? c / d.heads : -1;
            if (kvHeads > 0 && kvHeads != d.heads) {
                d.problem = "grouped-query attention (" + d.heads + " query heads, " + kvHeads + " key heads)";
            }
        } else {
            d.problem = "query rank " + r + " (expected 3 or 4)";
        }
        d.mask = !n.input(3).isEmpty() || n.attrInt("is_causal", 0) != 0;
        d.scale = n.has("scale") ? n.attrFloat("scale", 1f) : d.headDim > 0 ? 1 / Math.sqrt(d.headDim) : Double.NaN;
        List<String> extra = new ArrayList<>();
        if (!n.input(4).isEmpty() || !n.input(5).isEmpty()) {
            extra.add("past key/value cache");
        }
        if (n.attrFloat("softcap", 0f) != 0f) {
            extra.add("softcap " + n.attrFloat("softcap", 0f));
        }
        if (n.outputs().size() > 1 && n.outputs().subList(1, n.outputs().size()).stream().anyMatch(o -> !o.isEmpty())) {
            extra.add("extra outputs (present key/value or qk matmul output) are used");
        }
        if (!extra.isEmpty()) {
            d.problem = (d.problem.isEmpty() ? "" : d.problem + "; ") + String.join(", ", extra);
        }
        return d;
    }

    private static Draft msMha(Shapes s, Node n) {
        Draft d = microsoftFused(Form.MS_MHA, s, n);
        long c = s.dim(d.query, 2);
        d.headDim = d.heads > 0 && c > 0 ? c / d.heads : -1;
        if (d.key.isEmpty() || s.rank(d.key) != 3 || s.rank(d.query) != 3) {
            d.problem = "packed or pre-split Q/K/V layout (query rank " + s.rank(d.query) + ", key rank "
                    + s.rank(d.key) + "); only (B,N,C) query, key and value are rewritten";
        }
        d.keyTokens = s.rank(d.key) == 3 ? s.dim(d.key, 1) : -1;
        d.bias = !n.input(3).isEmpty() || !n.input(5).isEmpty();
        d.mask = !n.input(4).isEmpty() || n.attrInt("unidirectional", 0) != 0;
        if (!n.input(6).isEmpty() || !n.input(7).isEmpty()) {
            d.problem = (d.problem.isEmpty() ? "" : d.problem + "; ") + "past key/value cache";
        }
        d.scale = n.has("scale") && n.attrFloat("scale", 0f) != 0f ? n.attrFloat("scale", 0f)
                : d.headDim > 0 ? 1 / Math.sqrt(d.headDim) : Double.NaN;
        return d;
    }

    /** What com.microsoft MultiHeadAttention and Attention share: Q/K/V as inputs 0-2, num_heads, (B,N,C) query. */
    private static Draft microsoftFused(Form form, Shapes s, Node n) {
        Draft d = new Draft(form, n);
        d.fused = true;
        d.threeD = true;
        d.query = n.input(0);
        d.key = n.input(1);
        d.value = n.input(2);
        d.output = n.output(0);
        d.heads = n.attrInt("num_heads", -1);
        d.tokens = s.dim(d.query, 1);
        return d;
    }

    private static Draft msAttention(Shapes s, Node n) {
        Draft d = microsoftFused(Form.MS_ATTENTION, s, n);
        d.keyTokens = d.tokens;
        List<Long> sizes = n.attrInts("qkv_hidden_sizes");
        long w = s.dim(d.key, 1);
        long hidden = !sizes.isEmpty() ? sizes.get(0) : w > 0 ? w / 3 : -1;
        d.headDim = d.heads > 0 && hidden > 0 ? hidden / d.heads : -1;
        if (!sizes.isEmpty() && !(sizes.get(0).equals(sizes.get(1)) && sizes.get(1).equals(sizes.get(2)))) {
            d.problem = "unequal qkv_hidden_sizes " + sizes;
        }
        d.mask = !n.input(3).isEmpty() || n.attrInt("unidirectional", 0) != 0;
        d.bias = !n.input(5).isEmpty();
        List<String> extra = new ArrayList<>();
        if (!n.input(4).isEmpty()) {
            extra.add("past state");
        }
        if (n.attrInt("do_rotary", 0) != 0) {
            extra.add("rotary embedding");
        }
        if (n.outputs().size() > 1 && !n.output(1).isEmpty()) {
            extra.add("present state output is used");
        }
        if (!extra.isEmpty()) {
            d.problem = (d.problem.isEmpty() ? "" : d.problem + "; ") + String.join(", ", extra);
        }
        d.scale = n.has("scale") && n.attrFloat("scale", 0f) != 0f ? n.attrFloat("scale", 0f)
                : d.headDim > 0 ? 1 / Math.sqrt(d.headDim) : Double.NaN;
        return d;
    }

    // ---------------------------------------------------------------- context

    /**
     * The activation a projection reads: walks up through head-split ops to the first MatMul/Gemm
     * with a constant weight and returns its other input; null when none is found.
     */
    private static String projectionInput(Graph g, Graph.Index idx, String t) {
        for (int step = 0; step < 12 && !t.isEmpty(); step++) {
            Node p = idx.producer(t).orElse(null);
            if (p == null) {
                return null;
            }
            if (p.is("MatMul") || p.is("Gemm")) {
                boolean w0 = isConstantDerived(g, idx, p.input(0));
                boolean w1 = isConstantDerived(g, idx, p.input(1));
                if (w0 != w1) {
                    return w1 ? p.input(0) : p.input(1);
                }
                return null;
            }
            if (p.is("Add") || p.is("Mul")) {
                boolean c0 = isConstantDerived(g, idx, p.input(0));
                t = c0 ? p.input(1) : p.input(0);
            } else if (p.is("Reshape") || p.is("Transpose") || p.is("Split") || p.is("Slice") || p.is("Squeeze")
                    || p.is("Unsqueeze") || p.is("Gather") || p.is("Cast") || p.is("Identity") || p.is("Div")) {
                t = p.input(0);
            } else {
                return null;
            }
        }
        return null;
    }

    /** The output projection MatMul after the head merge (Transpose → Reshape → MatMul), or "". */
    private static String outputProjection(Graph g, Graph.Index idx, String t) {
        for (int step = 0; step < 4 && t != null && !t.isEmpty(); step++) {
            List<Node> users = idx.consumers(t);
            if (users.size() != 1) {
                return "";
            }
            Node u = users.get(0);
            if ((u.is("MatMul") || u.is("Gemm")) && isConstantDerived(g, idx, u.input(1))) {
                return u.name();
            }
            if (!(u.is("Transpose") || u.is("Reshape") || u.is("Flatten"))) {
                return "";
            }
            t = u.output(0);
        }
        return "";
    }

    private static List<long[]> convGrids(Graph g, Shapes s) {
        List<long[]> grids = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.is("Conv")) {
                long[] d = s.dims(n.output(0));
                if (d != null && d.length == 4 && d[2] > 0 && d[3] > 0) {
                    grids.add(new long[] {d[2], d[3]});
                }
            }
        }
        return grids;
    }

    /**
     * Token grid {rows, cols, prefix}: a patch-embedding Conv's output grid when it accounts for
     * all but a few leading tokens, else a square grid with at most two prefix tokens (class and
     * distillation tokens), else {-1,-1,0} (a plain sequence).
     */
    static long[] grid(long tokens, List<long[]> convGrids) {
        if (tokens <= 0) {
            return new long[] {-1, -1, 0};
        }
        for (int p = 0; p <= MAX_PREFIX_WITH_CONV_GRID && p < tokens; p++) {
            for (long[] c : convGrids) {
                if (c[0] * c[1] == tokens - p) {
                    return new long[] {c[0], c[1], p};
                }
            }
        }
        for (int p = 0; p <= MAX_PREFIX_HEURISTIC && p < tokens; p++) {
            long side = Math.round(Math.sqrt(tokens - p));
            if (side >= 2 && side * side == tokens - p) {
                return new long[] {side, side, p};
            }
        }
        return new long[] {-1, -1, 0};
    }

    private static String layerName(String node, int index) {
        int slash = node.lastIndexOf('/');
        return slash > 0 ? node.substring(0, slash) : "attn." + index;
    }

    // ---------------------------------------------------------------- presentation

    /** A fixed-width table, one row per block, for {@code jedge inspect}. */
    public static String table(List<AttentionBlock> blocks) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-3s %-28s %-18s %6s %5s %5s %8s %-5s %-4s %-4s %-9s %s%n", "#", "layer", "form",
                "tokens", "heads", "dim", "scale", "fused", "bias", "mask", "supported", "note"));
        for (AttentionBlock a : blocks) {
            String layer = a.layer().length() > 28 ? "…" + a.layer().substring(a.layer().length() - 27) : a.layer();
            b.append(String.format(Locale.ROOT, "%-3d %-28s %-18s %6s %5s %5s %8s %-5s %-4s %-4s %-9s %s%n", a.index(), layer,
                    a.form().id(), num(a.tokens()), num(a.heads()), num(a.headDim()),
                    Double.isNaN(a.scale()) ? "?" : String.format(Locale.ROOT, "%.4g", a.scale()), yes(a.fused()),
                    yes(a.bias()), yes(a.mask()), yes(a.supported()), a.note()));
        }
        long supported = blocks.stream().filter(AttentionBlock::supported).count();
        long unknown = blocks.stream().filter(a -> a.form() == Form.UNRECOGNISED).count();
        b.append(blocks.size()).append(" attention blocks, ").append(supported).append(" rewritable by elfatt-sd");
        if (unknown > 0) {
            b.append(", ").append(unknown).append(" unrecognised");
        }
        return b.append(System.lineSeparator()).toString();
    }

    private static String num(long v) {
        return v < 0 ? "?" : String.valueOf(v);
    }

    private static String yes(boolean v) {
        return v ? "yes" : "no";
    }
}
