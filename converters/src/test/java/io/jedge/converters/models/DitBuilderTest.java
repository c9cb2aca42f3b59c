package io.jedge.converters.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DitBuilderTest {
    /** latent 4, patch 2 (4 tokens), 16 wide, 2 blocks, 2 heads, 3 classes, learn_sigma. */
    static final DitConfig SMALL = new DitConfig(4, 2, 16, 2, 2, 4, 4, 3, true);

    @TempDir
    Path tmp;

    @Test
    void matchesPlainJavaDitForward() {
        WeightSource w = new RandomBiases(new SeededWeights(11, 0.2));
        float[] latents = wave(2 * 4 * 4 * 4, 0.37);
        float[] t = {999f, 17.5f};
        long[] y = {2, 3}; // 3 = the null class
        float[] got = run(save(DitBuilder.build(SMALL, w), "dit.onnx"), SMALL, latents, t, y).floats();
        float[] expected = new DitReference(SMALL, w).forward(latents, t, y);
        assertEquals(expected.length, got.length);
        float maxAbs = 0;
        for (float v : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertTrue(maxAbs > 0.05, "reference output too small to compare: " + maxAbs);
        assertTrue(maxDiff(expected, got) < 1e-4 * Math.max(1, maxAbs), "max abs diff vs plain-Java DiT " + maxDiff(expected, got));
    }

    @Test
    void dynamicBatchGivesSameRowsAndShapes() {
        Path m = save(DitBuilder.build(SMALL, new SeededWeights(5)), "dit.onnx");
        float[] one = wave(4 * 4 * 4, 0.11);
        float[] two = new float[one.length * 2];
        System.arraycopy(one, 0, two, 0, one.length);
        System.arraycopy(wave(one.length, 0.53), 0, two, one.length, one.length);
        Tensor a = run(m, SMALL, one, new float[] {250f}, new long[] {1});
        Tensor b = run(m, SMALL, two, new float[] {250f, 600f}, new long[] {1, 3});
        assertArrayEquals(new long[] {1, 8, 4, 4}, a.shape());
        assertArrayEquals(new long[] {2, 8, 4, 4}, b.shape());
        float[] row0 = b.sliceBatch(0, 1).floats();
        assertTrue(maxDiff(a.floats(), row0) < 1e-5, "batch row 0 differs from batch 1 by " + maxDiff(a.floats(), row0));
        assertTrue(maxDiff(row0, b.sliceBatch(1, 2).floats()) > 1e-6, "different rows gave the same output");
    }

    @Test
    void seededBuildsAreDeterministicAndNotZero() {
        float[] x = wave(4 * 4 * 4, 0.2);
        float[] a = run(save(DitBuilder.build(SMALL, new SeededWeights(7)), "a.onnx"), SMALL, x, new float[] {10f}, new long[] {0}).floats();
        float[] b = run(save(DitBuilder.build(SMALL, new SeededWeights(7)), "b.onnx"), SMALL, x, new float[] {10f}, new long[] {0}).floats();
        float[] c = run(save(DitBuilder.build(SMALL, new SeededWeights(8)), "c.onnx"), SMALL, x, new float[] {10f}, new long[] {0}).floats();
        assertArrayEquals(a, b);
        assertTrue(maxDiff(a, c) > 1e-6, "seeds 7 and 8 gave the same output");
        // adaLN-Zero's zero init is deliberately not applied to seeded weights
        float max = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 1e-6, "seeded DiT predicts zero noise");
    }

    @Test
    void unconditionalModelHasNoClassInput() {
        DitConfig c = SMALL.withClasses(0).withLearnSigma(false);
        OnnxModel m = DitBuilder.build(c, new SeededWeights(2));
        assertEquals(Set.of("latents", "timesteps"), Set.copyOf(m.graph().inputs().stream().map(v -> v.getName()).toList()));
        assertFalse(DitBuilder.weightShapes(c).containsKey("y_embedder.embedding_table.weight"));
        Tensor out = run(save(m, "u.onnx"), c, wave(2 * 4 * 4 * 4, 0.3), new float[] {1f, 2f}, null);
        assertArrayEquals(new long[] {2, 4, 4, 4}, out.shape());
        assertEquals("dit", m.metadata().get("jedge.model"));
        assertEquals("vanilla", m.metadata().get("jedge.attention"));
        assertEquals("4", m.metadata().get("jedge.tokens"));
        assertThrows(IllegalStateException.class, c::nullClass);
    }

    @Test
    void timestepEmbeddingIsCosThenSinAsInDit() {
        OnnxModel m = DitBuilder.build(SMALL, new SeededWeights(1));
        Graph g = m.graph();
        Node concat = g.nodes().stream().filter(n -> n.opType().equals("Concat") && n.name().startsWith("t_embedder")).findFirst().orElseThrow();
        String freq = concat.output(0);
        g.outputs().add(Graph.tensorInfo(freq, TensorData.FLOAT, new long[] {-1, DitConfig.FREQUENCY_DIM}, "batch"));
        Path file = save(m, "t.onnx");
        float[] t = {0f, 1f, 500f};
        try (InferenceSession s = new OrtBackend().open(file, SessionOptions.defaults())) {
            Map<String, Tensor> in = Map.of("latents", Tensor.zeros(3, 4, 4, 4), "timesteps", Tensor.ofFloats(new long[] {3}, t),
                    "class_labels", Tensor.ofLongs(new long[] {3}, new long[] {0, 0, 0}));
            float[] got = s.run(in, Set.of(freq)).get(freq).floats();
            // DiT: half = 128, freqs = exp(-ln(10000)·k/half), embedding = [cos(t·freqs), sin(t·freqs)]
            for (int r = 0; r < 3; r++) {
                for (int k = 0; k < 128; k++) {
                    double f = Math.exp(-Math.log(10000) * k / 128.0);
                    assertEquals(Math.cos(t[r] * f), got[r * 256 + k], 2e-4, "cos part, t=" + t[r] + " k=" + k);
                    assertEquals(Math.sin(t[r] * f), got[r * 256 + 128 + k], 2e-4, "sin part, t=" + t[r] + " k=" + k);
                }
            }
            assertEquals(1f, got[0], 0f); // cos(0) first
            assertEquals(0f, got[128], 0f);
        }
    }

    @Test
    void posEmbedMatchesDitOnATwoByTwoGrid() {
        // dim 8: each half holds [sin(pos·1), sin(pos·0.01), cos(pos·1), cos(pos·0.01)]; first half encodes the column
        float[] e = DitBuilder.posEmbed(8, 2);
        float s1 = (float) Math.sin(1);
        float s01 = (float) Math.sin(0.01);
        float c1 = (float) Math.cos(1);
        float c01 = (float) Math.cos(0.01);
        float[][] expected = {
            {0, 0, 1, 1, 0, 0, 1, 1},            // row 0, column 0
            {s1, s01, c1, c01, 0, 0, 1, 1},      // row 0, column 1
            {0, 0, 1, 1, s1, s01, c1, c01},      // row 1, column 0
            {s1, s01, c1, c01, s1, s01, c1, c01} // row 1, column 1
        };
        for (int tok = 0; tok < 4; tok++) {
            for (int k = 0; k < 8; k++) {
                assertEquals(expected[tok][k], e[tok * 8 + k], 1e-6, "token " + tok + " channel " + k);
            }
        }
    }

    @Test
    void safetensorsRoundTripMatchesSeededBuild() throws Exception {
        SeededWeights seeded = new SeededWeights(21);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = DitBuilder.weightShapes(SMALL);
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            values.put(e.getKey(), e.getKey().equals("pos_embed") ? DitBuilder.posEmbed(SMALL.hidden(), SMALL.grid())
                    : seeded.get(e.getKey(), e.getValue()));
        }
        Path file = tmp.resolve("dit.safetensors");
        Safetensors.write(file, values, shapes);
        float[] x = wave(2 * 4 * 4 * 4, 0.7);
        float[] t = {3f, 800f};
        long[] y = {0, 2};
        float[] a = run(save(DitBuilder.build(SMALL, seeded), "seeded.onnx"), SMALL, x, t, y).floats();
        OnnxModel fromFile = DitBuilder.build(SMALL, Safetensors.open(file));
        float[] b = run(save(fromFile, "file.onnx"), SMALL, x, t, y).floats();
        assertArrayEquals(a, b);
        assertTrue(fromFile.metadata().get("jedge.weights").startsWith("safetensors"));

        // a checkpoint for another width: the first mismatching tensor is named
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DitBuilder.build(SMALL.withHidden(32), Safetensors.open(file)));
        assertTrue(e.getMessage().contains("x_embedder.proj.weight") && e.getMessage().contains("expected"), e.getMessage());
        // a checkpoint without a null class row (class count differs)
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> DitBuilder.build(SMALL.withClasses(5), Safetensors.open(file)));
        assertTrue(e2.getMessage().contains("y_embedder.embedding_table.weight"), e2.getMessage());
    }

    @Test
    void presetsAndValidation() {
        DitConfig s = DitConfig.preset("s");
        assertEquals(384, s.hidden());
        assertEquals(256, s.tokens());
        assertEquals(1000, s.nullClass());
        assertEquals(8, s.outChannels());
        assertEquals(768, DitConfig.preset("DiT-B/2").hidden());
        assertEquals(1024, s.withLatentSize(64).tokens());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.withLatentSize(33));
        assertTrue(e.getMessage().contains("33"), e.getMessage());
        assertEquals(28, DitConfig.preset("xl").depth());
        assertThrows(IllegalArgumentException.class, () -> DitConfig.preset("l"));
        // DiT-S/2 has 32.9M parameters with learn_sigma and 1000 classes (the paper's 33M)
        long params = 0;
        for (long[] shape : DitBuilder.weightShapes(s).values()) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            params += n;
        }
        params -= s.tokens() * s.hidden(); // pos_embed is a fixed buffer, not counted
        assertTrue(params > 32_000_000 && params < 34_000_000, "DiT-S/2 parameters " + params);
    }

    // ---- helpers ----

    /** Seeded weights with random (not zero) biases, and no pos_embed so the builder computes it. */
    record RandomBiases(SeededWeights seeded) implements WeightSource {
        @Override
        public float[] get(String name, long... shape) {
            return seeded.get(name.endsWith(".bias") ? name + "#random" : name, shape);
        }

        @Override
        public boolean has(String name) {
            return !name.equals("pos_embed");
        }

        @Override
        public String describe() {
            return "seeded with random biases";
        }
    }

    private Path save(OnnxModel m, String name) {
        Path p = tmp.resolve(name);
        m.save(p);
        return p;
    }

    static Tensor run(Path model, DitConfig c, float[] latents, float[] t, long[] y) {
        int n = t.length;
        Map<String, Tensor> in = new HashMap<>();
        in.put("latents", Tensor.ofFloats(new long[] {n, c.latentChannels(), c.latentSize(), c.latentSize()}, latents));
        in.put("timesteps", Tensor.ofFloats(new long[] {n}, t));
        if (y != null) {
            in.put("class_labels", Tensor.ofLongs(new long[] {n}, y));
        }
        try (InferenceSession s = new OrtBackend().open(model, SessionOptions.defaults())) {
            return s.run(in).get("noise_pred");
        }
    }

    static float[] wave(int n, double phase) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i * 0.37 + phase * 7) * 1.5f;
        }
        return x;
    }

    static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** DiT's forward pass written out with loops, from models.py's formulas, for one config. */
    static final class DitReference {
        private final DitConfig c;
        private final WeightSource w;

        DitReference(DitConfig c, WeightSource w) {
            this.c = c;
            this.w = w;
        }

        float[] forward(float[] latents, float[] ts, long[] ys) {
            int n = ts.length;
            int ch = c.latentChannels();
            int s = c.latentSize();
            int outC = c.outChannels();
            float[] out = new float[n * outC * s * s];
            for (int b = 0; b < n; b++) {
                float[] lat = new float[ch * s * s];
                System.arraycopy(latents, b * lat.length, lat, 0, lat.length);
                float[] img = one(lat, ts[b], ys == null ? -1 : ys[b]);
                System.arraycopy(img, 0, out, b * img.length, img.length);
            }
            return out;
        }

        private float[] one(float[] lat, float t, long y) {
            int d = c.hidden();
            int p = c.patch();
            int g = c.grid();
            int ch = c.latentChannels();
            int s = c.latentSize();
            int tok = c.tokens();
            // patchify (Conv k=p, stride p) + pos_embed
            float[] pw = w.get("x_embedder.proj.weight", d, ch, p, p);
            float[] pb = w.get("x_embedder.proj.bias", d);
            float[] pos = DitBuilder.posEmbed(d, g);
            float[][] x = new float[tok][d];
            for (int gi = 0; gi < g; gi++) {
                for (int gj = 0; gj < g; gj++) {
                    for (int o = 0; o < d; o++) {
                        double acc = pb[o];
                        for (int ci = 0; ci < ch; ci++) {
                            for (int ky = 0; ky < p; ky++) {
                                for (int kx = 0; kx < p; kx++) {
                                    acc += pw[((o * ch + ci) * p + ky) * p + kx] * lat[(ci * s + gi * p + ky) * s + gj * p + kx];
                                }
                            }
                        }
                        x[gi * g + gj][o] = (float) (acc + pos[(gi * g + gj) * d + o]);
                    }
                }
            }
            // timestep embedding: cos then sin, max_period 10000, then Linear-SiLU-Linear
            int half = DitConfig.FREQUENCY_DIM / 2;
            float[] freq = new float[2 * half];
            for (int k = 0; k < half; k++) {
                double f = Math.exp(-Math.log(10000) * k / half);
                freq[k] = (float) Math.cos(t * f);
                freq[half + k] = (float) Math.sin(t * f);
            }
            float[] cond = linear(silu(linear(freq, "t_embedder.mlp.0", DitConfig.FREQUENCY_DIM, d)), "t_embedder.mlp.2", d, d);
            if (y >= 0) {
                float[] table = w.get("y_embedder.embedding_table.weight", c.classes() + 1, d);
                for (int o = 0; o < d; o++) {
                    cond[o] += table[(int) y * d + o];
                }
            }
            float[] sc = silu(cond);
            for (int i = 0; i < c.depth(); i++) {
                String pre = "blocks." + i;
                float[] mod = linear(sc, pre + ".adaLN_modulation.1", d, 6 * d);
                float[][] h = new float[tok][];
                for (int r = 0; r < tok; r++) {
                    h[r] = modulate(layerNorm(x[r]), mod, 0, 1);
                }
                float[][] a = attention(h, pre + ".attn");
                for (int r = 0; r < tok; r++) {
                    for (int o = 0; o < d; o++) {
                        x[r][o] += mod[2 * d + o] * a[r][o];
                    }
                }
                for (int r = 0; r < tok; r++) {
                    float[] m = modulate(layerNorm(x[r]), mod, 3, 4);
                    float[] f1 = linear(m, pre + ".mlp.fc1", d, d * c.mlpRatio());
                    for (int k = 0; k < f1.length; k++) {
                        double v = f1[k];
                        f1[k] = (float) (0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
                    }
                    float[] f2 = linear(f1, pre + ".mlp.fc2", d * c.mlpRatio(), d);
                    for (int o = 0; o < d; o++) {
                        x[r][o] += mod[5 * d + o] * f2[o];
                    }
                }
            }
            float[] fmod = linear(sc, "final_layer.adaLN_modulation.1", d, 2 * d);
            int outC = c.outChannels();
            int pp = p * p * outC;
            float[] img = new float[outC * s * s];
            for (int gi = 0; gi < g; gi++) {
                for (int gj = 0; gj < g; gj++) {
                    float[] v = linear(modulate(layerNorm(x[gi * g + gj]), fmod, 0, 1), "final_layer.linear", d, pp);
                    // unpatchify: token value index (py, px, c) → pixel (c, gi·p+py, gj·p+px)
                    for (int py = 0; py < p; py++) {
                        for (int px = 0; px < p; px++) {
                            for (int oc = 0; oc < outC; oc++) {
                                img[(oc * s + gi * p + py) * s + gj * p + px] = v[(py * p + px) * outC + oc];
                            }
                        }
                    }
                }
            }
            return img;
        }

        private float[][] attention(float[][] x, String pre) {
            int d = c.hidden();
            int heads = c.heads();
            int hd = d / heads;
            int tok = x.length;
            float[][] qkv = new float[tok][];
            for (int r = 0; r < tok; r++) {
                qkv[r] = linear(x[r], pre + ".qkv", d, 3 * d);
            }
            float[][] merged = new float[tok][d];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < tok; i++) {
                    double[] sc = new double[tok];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tok; j++) {
                        double dot = 0;
                        for (int k = 0; k < hd; k++) {
                            dot += qkv[i][h * hd + k] * qkv[j][d + h * hd + k];
                        }
                        sc[j] = dot / Math.sqrt(hd);
                        max = Math.max(max, sc[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < tok; j++) {
                        sc[j] = Math.exp(sc[j] - max);
                        sum += sc[j];
                    }
                    for (int k = 0; k < hd; k++) {
                        double acc = 0;
                        for (int j = 0; j < tok; j++) {
                            acc += sc[j] / sum * qkv[j][2 * d + h * hd + k];
                        }
                        merged[i][h * hd + k] = (float) acc;
                    }
                }
            }
            float[][] out = new float[tok][];
            for (int r = 0; r < tok; r++) {
                out[r] = linear(merged[r], pre + ".proj", d, d);
            }
            return out;
        }

        /** x·(1 + scale) + shift with shift, scale the given chunks of mod. */
        private float[] modulate(float[] x, float[] mod, int shiftChunk, int scaleChunk) {
            int d = x.length;
            float[] o = new float[d];
            for (int k = 0; k < d; k++) {
                o[k] = x[k] * (1 + mod[scaleChunk * d + k]) + mod[shiftChunk * d + k];
            }
            return o;
        }

        private static float[] layerNorm(float[] x) {
            double mean = 0;
            for (float v : x) {
                mean += v;
            }
            mean /= x.length;
            double var = 0;
            for (float v : x) {
                var += (v - mean) * (v - mean);
            }
            var /= x.length;
            float[] o = new float[x.length];
            for (int k = 0; k < x.length; k++) {
                o[k] = (float) ((x[k] - mean) / Math.sqrt(var + 1e-6));
            }
            return o;
        }

        private static float[] silu(float[] x) {
            float[] o = new float[x.length];
            for (int k = 0; k < x.length; k++) {
                o[k] = (float) (x[k] / (1 + Math.exp(-x[k])));
            }
            return o;
        }

        private float[] linear(float[] x, String name, int in, int out) {
            float[] wt = w.get(name + ".weight", out, in);
            float[] bias = w.get(name + ".bias", out);
            float[] o = new float[out];
            for (int r = 0; r < out; r++) {
                double acc = bias[r];
                for (int k = 0; k < in; k++) {
                    acc += wt[r * in + k] * x[k];
                }
                o[r] = (float) acc;
            }
            return o;
        }
    }

    @Test
    void widthAndHeadsAreCheckedTogether() {
        // DiT-S has 6 heads: 128 wide with 4 heads is a valid size, refused when the width was applied before the heads
        assertThrows(IllegalArgumentException.class, () -> DitConfig.preset("s").withHidden(128));
        DitConfig c = DitConfig.preset("s").withSize(128, null, 4);
        assertEquals(128, c.hidden());
        assertEquals(4, c.heads());
        assertEquals(DitConfig.preset("s").depth(), c.depth());
    }
}
