package io.jedge.converters.models;

import io.jedge.converters.attention.AttentionEmitter;
import io.jedge.converters.attention.TokenLayout;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;

/**
 * Builds a ViT as an ONNX graph (opset 17, or what the attention emitter needs; dynamic batch) from
 * timm-named weights.
 *
 * <p>Input {@code pixels} [N,3,S,S] (ImageNet-normalised RGB), output {@code logits} [N,classes].
 * Weight names are timm's {@code VisionTransformer} state-dict names: {@code patch_embed.proj.*},
 * {@code cls_token}, {@code pos_embed}, {@code blocks.i.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}.*},
 * {@code norm.*}, {@code head.*}.
 */
public final class VitBuilder {
    /** LayerNorm epsilon of timm ViTs. */
    private static final float EPS = 1e-6f;

    private VitBuilder() {
    }

    public static OnnxModel build(VitConfig c, WeightSource w, AttentionEmitter attention) {
        Graph g = new Graph("vit", null);
        GraphBuilder b = new GraphBuilder(g);
        int dim = c.dim();
        int grid = c.grid();
        int t = c.tokens();
        String pixels = b.input("pixels", TensorData.FLOAT, new long[] {-1, 3, c.imageSize(), c.imageSize()}, "batch");

        b.scope("patch_embed");
        String patches = b.conv(pixels, b.weight("patch_embed.proj.weight", new long[] {dim, 3, c.patch(), c.patch()},
                        w.get("patch_embed.proj.weight", dim, 3, c.patch(), c.patch())),
                b.weight("patch_embed.proj.bias", new long[] {dim}, w.get("patch_embed.proj.bias", dim)),
                new long[] {c.patch(), c.patch()}, new long[] {c.patch(), c.patch()}, new long[] {0, 0, 0, 0}, 1);
        String tokens = b.transpose(b.reshape(patches, 0, dim, (long) grid * grid), 0, 2, 1);

        // class token broadcast to the batch: Expand to [N,1,dim] using the input's batch size
        b.scope("embed");
        String batch = b.slice(b.op("Shape", pixels), new long[] {0}, new long[] {1}, new long[] {0});
        String clsShape = b.concat(0, batch, b.constLongs("one_dim", 1, dim));
        String cls = b.op("Expand", b.weight("cls_token", new long[] {1, 1, dim}, w.get("cls_token", 1, 1, dim)), clsShape);
        String x = b.add(b.concat(1, cls, tokens), b.weight("pos_embed", new long[] {1, t, dim}, w.get("pos_embed", 1, t, dim)));

        TokenLayout layout = new TokenLayout(1, grid, grid, dim, c.heads());
        for (int i = 0; i < c.depth(); i++) {
            String p = "blocks." + i;
            x = TransformerBlocks.block(b, x, p, w, layout, attention, c.mlpRatio(), EPS);
        }
        b.scope("head");
        String normed = b.layerNorm(x, b.weight("norm.weight", new long[] {dim}, w.get("norm.weight", dim)),
                b.weight("norm.bias", new long[] {dim}, w.get("norm.bias", dim)), EPS);
        String clsOut = b.gather(normed, b.initializer(TensorData.ofLongs(g.uniqueName("cls_index"), new long[0], new long[] {0})), 1);
        String logits = b.linear(clsOut, "head", w.get("head.weight", c.classes(), dim), dim, c.classes(), w.get("head.bias", c.classes()));
        b.output(logits, "logits", TensorData.FLOAT, new long[] {-1, c.classes()}, "batch");

        OnnxModel m = ModelOpsets.model(g, java.util.List.of(attention));
        m.metadata().put("jedge.model", "vit");
        m.metadata().put("jedge.config", c.toString());
        m.metadata().put("jedge.weights", w.describe());
        m.metadata().put("jedge.attention", attention.kind().id());
        m.metadata().put("jedge.tokens", String.valueOf(t));
        return m;
    }
}
