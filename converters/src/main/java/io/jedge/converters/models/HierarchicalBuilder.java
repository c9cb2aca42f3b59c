package io.jedge.converters.models;

import io.jedge.converters.attention.AttentionEmitter;
import io.jedge.converters.attention.TokenLayout;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a four-stage hierarchical ViT ({@link HierarchicalConfig}) with per-block attention
 * from a {@link HierarchicalAttention} plan, as an ONNX graph with dynamic batch (opset 17, or
 * what the attention forms need).
 *
 * <p>Input {@code pixels} [N,3,S,S], output {@code logits} [N,classes]. Weight names (timm
 * {@code SwinTransformer} style; shapes for stage s with C_s = embed·2^s):
 * <ul>
 *   <li>{@code patch_embed.proj.weight} [C_0,3,p,p], {@code .bias}; {@code patch_embed.norm.weight/bias} [C_0]
 *   <li>{@code layers.s.downsample.norm.weight/bias} [4C_{s-1}], {@code layers.s.downsample.reduction.weight}
 *       [C_s,4C_{s-1}] (no bias) for s = 1..3; the 2×2 neighbours are concatenated in timm's order
 *       (0,0), (1,0), (0,1), (1,1) as (row, column) offsets
 *   <li>{@code layers.s.blocks.j.norm1.*}, {@code .attn.qkv.*}, {@code .attn.proj.*},
 *       {@code .attn.lepe_global.*} / {@code .attn.lepe_local.*} (see
 *       {@link io.jedge.converters.attention.ElfattAttention}), {@code .norm2.*},
 *       {@code .mlp.fc1.*}, {@code .mlp.fc2.*}
 *   <li>{@code norm.weight/bias} [C_3], {@code head.fc.weight} [classes,C_3], {@code head.fc.bias}
 * </ul>
 * No relative position bias and no shifted windows (ELFATT models need neither).
 */
public final class HierarchicalBuilder {
    /** LayerNorm epsilon of Swin/CSWin. */
    private static final float EPS = 1e-5f;

    private HierarchicalBuilder() {
    }

    public static OnnxModel build(HierarchicalConfig c, WeightSource w, HierarchicalAttention plan) {
        Graph g = new Graph("hierarchical-vit", null);
        GraphBuilder b = new GraphBuilder(g);
        int p = c.patch();
        int dim = c.dim(0);
        String pixels = b.input("pixels", TensorData.FLOAT, new long[] {-1, 3, c.imageSize(), c.imageSize()}, "batch");
        b.scope("patch_embed");
        String stem = b.conv(pixels, b.weight("patch_embed.proj.weight", new long[] {dim, 3, p, p}, w.get("patch_embed.proj.weight", dim, 3, p, p)),
                b.weight("patch_embed.proj.bias", new long[] {dim}, w.get("patch_embed.proj.bias", dim)), new long[] {p, p}, new long[] {p, p},
                new long[] {0, 0, 0, 0}, 1);
        int grid = c.grid(0);
        String x = b.transpose(b.reshape(stem, 0, dim, (long) grid * grid), 0, 2, 1);
        x = norm(b, x, "patch_embed.norm", w, dim);

        List<AttentionEmitter> used = new ArrayList<>();
        for (int s = 0; s < HierarchicalConfig.STAGES; s++) {
            if (s > 0) {
                b.scope("layers." + s + ".downsample");
                x = merge(b, x, "layers." + s + ".downsample", w, c.grid(s - 1), c.dim(s - 1));
            }
            TokenLayout layout = new TokenLayout(0, c.grid(s), c.grid(s), c.dim(s), c.heads().get(s));
            for (int j = 0; j < c.depths().get(s); j++) {
                AttentionEmitter e = plan.emitter(s, j);
                used.add(e);
                x = TransformerBlocks.block(b, x, "layers." + s + ".blocks." + j, w, layout, e, c.mlpRatio(), EPS);
            }
        }
        b.scope("head");
        int last = c.dim(3);
        String normed = norm(b, x, "norm", w, last);
        String pooled = b.reshape(b.op("GlobalAveragePool", b.transpose(normed, 0, 2, 1)), 0, last);
        String logits = b.linear(pooled, "head.fc", w.get("head.fc.weight", c.classes(), last), last, c.classes(), w.get("head.fc.bias", c.classes()));
        b.output(logits, "logits", TensorData.FLOAT, new long[] {-1, c.classes()}, "batch");

        OnnxModel m = ModelOpsets.model(g, used);
        m.metadata().put("jedge.model", "hierarchical-vit");
        m.metadata().put("jedge.config", c.toString());
        m.metadata().put("jedge.weights", w.describe());
        m.metadata().put("jedge.attention", plan.modelKind().id());
        m.metadata().put("jedge.attention.plan", plan.kinds() + " blocks " + plan.blocks() + ", " + plan.options());
        return m;
    }

    private static String norm(GraphBuilder b, String x, String name, WeightSource w, int dim) {
        return b.layerNorm(x, b.weight(name + ".weight", new long[] {dim}, w.get(name + ".weight", dim)),
                b.weight(name + ".bias", new long[] {dim}, w.get(name + ".bias", dim)), EPS);
    }

    /** 2×2 patch merging: [N,g·g,C] → [N,(g/2)²,2C]. */
    private static String merge(GraphBuilder b, String x, String name, WeightSource w, int grid, int dim) {
        int h = grid / 2;
        String cells = b.reshape(x, 0, h, 2, h, 2, dim);
        String cat = b.reshape(b.transpose(cells, 0, 1, 3, 4, 2, 5), 0, (long) h * h, 4L * dim);
        String normed = norm(b, cat, name + ".norm", w, 4 * dim);
        return b.linear(normed, name + ".reduction", w.get(name + ".reduction.weight", 2L * dim, 4L * dim), 4 * dim, 2 * dim, null);
    }
}
