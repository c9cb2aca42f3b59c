package io.jedge.converters.models;

import io.jedge.converters.attention.AttentionEmitter;
import io.jedge.converters.attention.TokenLayout;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a latent DiT denoiser (facebookresearch/DiT {@code models.py}) as an ONNX graph, opset 17,
 * dynamic batch (classifier-free guidance runs the conditional and the null-class rows as one batch).
 *
 * <h2>Inputs and output</h2>
 * <ul>
 *   <li>{@code latents} float32 [N, C, H, W] with C = {@link DitConfig#latentChannels()} and
 *       H = W = {@link DitConfig#latentSize()} (fixed: the position embedding is sized for it);</li>
 *   <li>{@code timesteps} float32 [N]: training timesteps (0..999 for DiT), fractional values
 *       allowed — float so the sinusoidal embedding needs no cast;</li>
 *   <li>{@code class_labels} int64 [N], only when {@link DitConfig#conditional()}: 0..classes-1,
 *       or {@link DitConfig#nullClass()} (= classes) for the unconditional row of guidance;</li>
 *   <li>output {@code noise_pred} float32 [N, C or 2C, H, W]. With learn_sigma (DiT's default) the
 *       first C channels are the predicted noise ε and the last C the variance interpolation; the
 *       pipeline uses the first C channels only.</li>
 * </ul>
 *
 * <h2>Weights</h2>
 * Tensor names and layouts are those of DiT's state dicts (e.g. {@code DiT-XL-2-256x256.pt}):
 * {@code x_embedder.proj.{weight,bias}}, {@code t_embedder.mlp.{0,2}.{weight,bias}},
 * {@code y_embedder.embedding_table.weight} [classes+1, hidden], {@code pos_embed} [1, T, hidden],
 * {@code blocks.i.attn.{qkv,proj}.*}, {@code blocks.i.mlp.{fc1,fc2}.*},
 * {@code blocks.i.adaLN_modulation.1.*}, {@code final_layer.{linear,adaLN_modulation.1}.*};
 * {@link #weightShapes(DitConfig)} lists them all. The LayerNorms have no affine parameters.
 * {@code pos_embed} is DiT's fixed 2-D sin-cos table; it is computed ({@link #posEmbed(int, int)})
 * for seeded weights and when a checkpoint lacks it. To bring a PyTorch checkpoint:
 *
 * <pre>
 * import torch; from safetensors.torch import save_file
 * sd = torch.load("DiT-XL-2-256x256.pt", map_location="cpu")  # the published files are plain state dicts
 * sd = sd.get("ema", sd)                                       # train.py checkpoints keep the weights under "ema"
 * save_file({k: v.float().contiguous() for k, v in sd.items()}, "dit-xl2.safetensors")
 * </pre>
 * then {@code jedge build-model dit --preset xl --weights dit-xl2.safetensors -o dit-xl2.onnx}
 * ({@code --latent 64} for the 512×512 checkpoint). DiT-S/2 and DiT-B/2 weights come from training
 * with DiT's {@code train.py} ({@code --model DiT-S/2}); Meta published only XL/2.
 *
 * <p>Seeded weights ({@link SeededWeights}) are random everywhere, including the adaLN modulation
 * and final linear layers that DiT's adaLN-Zero initialisation sets to zero: a zero-initialised
 * DiT predicts exactly zero for every input, which makes a useless demo and hides wiring bugs.
 *
 * <p>Example:
 * <pre>{@code
 * OnnxModel m = DitBuilder.build(DitConfig.preset("s"), Safetensors.open(Path.of("dit-s2.safetensors")));
 * m.save(Path.of("dit-s2.onnx"));
 * }</pre>
 */
public final class DitBuilder {
    /** LayerNorm epsilon of DiT's blocks and final layer. */
    private static final float EPS = 1e-6f;
    /** max_period of DiT's timestep embedding. */
    private static final double MAX_PERIOD = 10000.0;

    private DitBuilder() {
    }

    /** A DiT with vanilla softmax attention, as the published checkpoints were trained. */
    public static OnnxModel build(DitConfig c, WeightSource w) {
        return build(c, w, new VanillaAttention());
    }

    /**
     * @throws IllegalArgumentException when a weight is missing or shaped differently than {@code c} needs
     *                                  (the message names the tensor)
     */
    public static OnnxModel build(DitConfig c, WeightSource w, AttentionEmitter attention) {
        Graph g = new Graph("dit", null);
        GraphBuilder b = new GraphBuilder(g);
        int d = c.hidden();
        int ch = c.latentChannels();
        int p = c.patch();
        int grid = c.grid();
        int t = c.tokens();
        int s = c.latentSize();
        String latents = b.input("latents", TensorData.FLOAT, new long[] {-1, ch, s, s}, "batch");
        String timesteps = b.input("timesteps", TensorData.FLOAT, new long[] {-1}, "batch");
        String labels = c.conditional() ? b.input("class_labels", TensorData.INT64, new long[] {-1}, "batch") : null;

        b.scope("x_embedder");
        String patches = b.conv(latents, b.weight("x_embedder.proj.weight", new long[] {d, ch, p, p},
                        w.get("x_embedder.proj.weight", d, ch, p, p)),
                b.weight("x_embedder.proj.bias", new long[] {d}, w.get("x_embedder.proj.bias", d)),
                new long[] {p, p}, new long[] {p, p}, new long[] {0, 0, 0, 0}, 1);
        String x = b.transpose(b.reshape(patches, 0, d, t), 0, 2, 1);
        x = b.add(x, b.weight("pos_embed", new long[] {1, t, d}, positions(c, w)));

        b.scope("t_embedder");
        String cond = timestepEmbedder(b, timesteps, w, d);
        if (labels != null) {
            b.scope("y_embedder");
            int rows = c.classes() + 1;
            String table = b.weight("y_embedder.embedding_table.weight", new long[] {rows, d},
                    w.get("y_embedder.embedding_table.weight", rows, d));
            cond = b.add(cond, b.gather(table, labels, 0));
        }
        // every adaLN_modulation starts with SiLU(c): compute it once
        String siluCond = silu(b, cond);

        Norm norm = new Norm(b, d);
        TokenLayout layout = new TokenLayout(0, grid, grid, d, c.heads());
        for (int i = 0; i < c.depth(); i++) {
            x = block(b, x, siluCond, "blocks." + i, w, layout, attention, c.mlpRatio(), norm);
        }

        b.scope("final_layer");
        List<String> mod = modulation(b, siluCond, "final_layer.adaLN_modulation.1", w, d, 2);
        String h = modulate(b, norm.apply(x), mod.get(0), mod.get(1));
        int outC = c.outChannels();
        int pp = p * p * outC;
        h = b.linear(h, "final_layer.linear", w.get("final_layer.linear.weight", pp, d), d, pp, w.get("final_layer.linear.bias", pp));

        // unpatchify: [N,T,p·p·c] → [N,h,w,p,q,c] → (n c h p w q) → [N,c,h·p,w·q]
        b.scope("unpatchify");
        String img = b.reshape(b.transpose(b.reshape(h, 0, grid, grid, p, p, outC), 0, 5, 1, 3, 2, 4), 0, outC, s, s);
        b.output(img, "noise_pred", TensorData.FLOAT, new long[] {-1, outC, s, s}, "batch");

        OnnxModel m = new OnnxModel(8, Map.of("", 17L), g);
        m.metadata().put("jedge.model", "dit");
        m.metadata().put("jedge.config", c.toString());
        m.metadata().put("jedge.weights", w.describe());
        m.metadata().put("jedge.attention", attention.kind().id());
        m.metadata().put("jedge.tokens", String.valueOf(t));
        m.metadata().put("jedge.latent_channels", String.valueOf(ch));
        m.metadata().put("jedge.classes", String.valueOf(c.classes()));
        m.metadata().put("jedge.learn_sigma", String.valueOf(c.learnSigma()));
        return m;
    }

    /** Every tensor a checkpoint must hold for {@code c}, in PyTorch's layout, in module order. */
    public static Map<String, long[]> weightShapes(DitConfig c) {
        long d = c.hidden();
        long p = c.patch();
        long mlp = d * c.mlpRatio();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("pos_embed", new long[] {1, c.tokens(), d});
        m.put("x_embedder.proj.weight", new long[] {d, c.latentChannels(), p, p});
        m.put("x_embedder.proj.bias", new long[] {d});
        m.put("t_embedder.mlp.0.weight", new long[] {d, DitConfig.FREQUENCY_DIM});
        m.put("t_embedder.mlp.0.bias", new long[] {d});
        m.put("t_embedder.mlp.2.weight", new long[] {d, d});
        m.put("t_embedder.mlp.2.bias", new long[] {d});
        if (c.conditional()) {
            m.put("y_embedder.embedding_table.weight", new long[] {c.classes() + 1, d});
        }
        for (int i = 0; i < c.depth(); i++) {
            String b = "blocks." + i;
            m.put(b + ".attn.qkv.weight", new long[] {3 * d, d});
            m.put(b + ".attn.qkv.bias", new long[] {3 * d});
            m.put(b + ".attn.proj.weight", new long[] {d, d});
            m.put(b + ".attn.proj.bias", new long[] {d});
            m.put(b + ".mlp.fc1.weight", new long[] {mlp, d});
            m.put(b + ".mlp.fc1.bias", new long[] {mlp});
            m.put(b + ".mlp.fc2.weight", new long[] {d, mlp});
            m.put(b + ".mlp.fc2.bias", new long[] {d});
            m.put(b + ".adaLN_modulation.1.weight", new long[] {6 * d, d});
            m.put(b + ".adaLN_modulation.1.bias", new long[] {6 * d});
        }
        long out = p * p * c.outChannels();
        m.put("final_layer.linear.weight", new long[] {out, d});
        m.put("final_layer.linear.bias", new long[] {out});
        m.put("final_layer.adaLN_modulation.1.weight", new long[] {2 * d, d});
        m.put("final_layer.adaLN_modulation.1.bias", new long[] {2 * d});
        return Collections.unmodifiableMap(m);
    }

    /**
     * DiT's fixed position embedding ({@code get_2d_sincos_pos_embed}) as [grid·grid, dim] row-major:
     * for the token at row i, column j, the first dim/2 values encode j and the last dim/2 encode i
     * (DiT's meshgrid puts w first), each as [sin(pos·ω_k)…, cos(pos·ω_k)…] with
     * ω_k = 10000^(−k/(dim/4)).
     */
    public static float[] posEmbed(int dim, int grid) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("position embedding width " + dim + " must be a multiple of 4");
        }
        int quarter = dim / 4;
        float[] out = new float[grid * grid * dim];
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                int base = (i * grid + j) * dim;
                for (int k = 0; k < quarter; k++) {
                    double omega = 1.0 / Math.pow(10000.0, (double) k / quarter);
                    out[base + k] = (float) Math.sin(j * omega);
                    out[base + quarter + k] = (float) Math.cos(j * omega);
                    out[base + 2 * quarter + k] = (float) Math.sin(i * omega);
                    out[base + 3 * quarter + k] = (float) Math.cos(i * omega);
                }
            }
        }
        return out;
    }

    private static float[] positions(DitConfig c, WeightSource w) {
        if (w instanceof SeededWeights || !w.has("pos_embed")) {
            return posEmbed(c.hidden(), c.grid());
        }
        return w.get("pos_embed", 1, c.tokens(), c.hidden());
    }

    /** [cos(t·f_k)…, sin(t·f_k)…] with f_k = exp(−ln(10000)·k/half), then Linear → SiLU → Linear. */
    private static String timestepEmbedder(GraphBuilder b, String timesteps, WeightSource w, int d) {
        int freqDim = DitConfig.FREQUENCY_DIM;
        int half = freqDim / 2;
        float[] freqs = new float[half];
        for (int k = 0; k < half; k++) {
            freqs[k] = (float) Math.exp(-Math.log(MAX_PERIOD) * k / half);
        }
        String freqT = b.initializer(TensorData.ofFloats(b.graph().uniqueName("t_embedder.freqs"), new long[] {half}, freqs));
        String args = b.mul(b.reshape(timesteps, -1, 1), freqT);
        String emb = b.concat(-1, b.op("Cos", args), b.op("Sin", args));
        String h = b.linear(emb, "t_embedder.mlp.0", w.get("t_embedder.mlp.0.weight", d, freqDim), freqDim, d,
                w.get("t_embedder.mlp.0.bias", d));
        h = silu(b, h);
        return b.linear(h, "t_embedder.mlp.2", w.get("t_embedder.mlp.2.weight", d, d), d, d, w.get("t_embedder.mlp.2.bias", d));
    }

    private static String block(GraphBuilder b, String x, String siluCond, String p, WeightSource w, TokenLayout l,
            AttentionEmitter attention, int mlpRatio, Norm norm) {
        int d = l.dim();
        b.scope(p + ".adaLN_modulation");
        // shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp, each [N,1,D] to broadcast over tokens
        List<String> mod = modulation(b, siluCond, p + ".adaLN_modulation.1", w, d, 6);
        b.scope(p + ".attn");
        String h = modulate(b, norm.apply(x), mod.get(0), mod.get(1));
        x = b.add(x, b.mul(mod.get(2), attention.emit(b, h, p + ".attn", w, l)));
        b.scope(p + ".mlp");
        h = modulate(b, norm.apply(x), mod.get(3), mod.get(4));
        int hidden = d * mlpRatio;
        h = geluTanh(b, b.linear(h, p + ".mlp.fc1", w.get(p + ".mlp.fc1.weight", hidden, d), d, hidden, w.get(p + ".mlp.fc1.bias", hidden)));
        h = b.linear(h, p + ".mlp.fc2", w.get(p + ".mlp.fc2.weight", d, hidden), hidden, d, w.get(p + ".mlp.fc2.bias", d));
        return b.add(x, b.mul(mod.get(5), h));
    }

    /** Linear(D → parts·D) on SiLU(c), reshaped to [N,1,parts·D] and split into {@code parts} [N,1,D] chunks. */
    private static List<String> modulation(GraphBuilder b, String siluCond, String name, WeightSource w, int d, int parts) {
        int out = parts * d;
        String m = b.linear(siluCond, name, w.get(name + ".weight", out, d), d, out, w.get(name + ".bias", out));
        long[] sizes = new long[parts];
        Arrays.fill(sizes, d);
        return b.split(b.reshape(m, 0, 1, out), -1, sizes);
    }

    /** DiT's modulate: x·(1 + scale) + shift. */
    private static String modulate(GraphBuilder b, String x, String shift, String scale) {
        return b.add(b.mul(x, b.add(scale, b.constFloat("one", 1f))), shift);
    }

    private static String silu(GraphBuilder b, String x) {
        return b.mul(x, b.op("Sigmoid", x));
    }

    /** GELU, tanh approximation (PyTorch {@code GELU(approximate="tanh")}): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    private static String geluTanh(GraphBuilder b, String x) {
        String cube = b.mul(b.mul(x, x), x);
        String inner = b.mul(b.add(x, b.mul(cube, b.constFloat("gelu_c", 0.044715f))),
                b.constFloat("sqrt_2_over_pi", (float) Math.sqrt(2.0 / Math.PI)));
        String t = b.add(b.op("Tanh", inner), b.constFloat("one", 1f));
        return b.mul(b.mul(x, t), b.constFloat("half", 0.5f));
    }

    /** LayerNorm without affine parameters (elementwise_affine=False): unit scale, zero bias shared by all norms. */
    private static final class Norm {
        private final GraphBuilder b;
        private final String ones;
        private final String zeros;

        Norm(GraphBuilder b, int d) {
            this.b = b;
            float[] one = new float[d];
            Arrays.fill(one, 1f);
            this.ones = b.initializer(TensorData.ofFloats(b.graph().uniqueName("layernorm.unit_scale"), new long[] {d}, one));
            this.zeros = b.initializer(TensorData.ofFloats(b.graph().uniqueName("layernorm.zero_bias"), new long[] {d}, new float[d]));
        }

        String apply(String x) {
            return b.layerNorm(x, ones, zeros, EPS);
        }
    }
}
