package io.jedge.converters.attention;

import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Synthetic attention graphs, an ONNX Runtime runner and a plain-Java reference of ELFATT-SD. */
final class AttentionTestSupport {
    private AttentionTestSupport() {
    }

    /** Which way a synthetic graph writes its attention. */
    enum Kind { DECOMPOSED_SPLIT_SCALE, DECOMPOSED_LOGIT_SCALE, MS_MHA, MS_ATTENTION, ONNX_ATTENTION_3D }

    static float[] gaussian(Random r, int n, double std) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (r.nextGaussian() * std);
        }
        return f;
    }

    /**
     * x (B,N,C) → attention with h heads → output projection → y (B,N,C). Weights are seeded; the
     * decomposed kinds split heads like timm (fused qkv Linear, reshape, permute, unbind).
     */
    static OnnxModel transformerAttention(Kind kind, int n, int c, int h, long seed) {
        int d = c / h;
        Random r = new Random(seed);
        Graph g = new Graph("synthetic_" + kind, null);
        GraphBuilder b = new GraphBuilder(g);
        String x = b.input("x", TensorData.FLOAT, new long[] {-1, n, c}, "batch");
        float[] wqkv = gaussian(r, 3 * c * c, 1.0 / Math.sqrt(c));
        float[] bqkv = gaussian(r, 3 * c, 0.1);
        String merged;
        b.scope("blocks.0/attn");
        switch (kind) {
            case DECOMPOSED_SPLIT_SCALE, DECOMPOSED_LOGIT_SCALE -> {
                String qkv = b.linear(x, "blocks.0.attn.qkv", wqkv, c, 3 * c, bqkv);
                String t = b.transpose(b.reshape(qkv, 0, n, 3, h, d), 2, 0, 3, 1, 4);
                List<String> parts = b.split(t, 0, 1, 1, 1);
                String q = b.op("Squeeze", parts.get(0), b.constLongs("axes", 0));
                String k = b.op("Squeeze", parts.get(1), b.constLongs("axes", 0));
                String v = b.op("Squeeze", parts.get(2), b.constLongs("axes", 0));
                String logits;
                if (kind == Kind.DECOMPOSED_SPLIT_SCALE) {
                    String s = b.constFloat("sqrt_scale", (float) Math.sqrt(1 / Math.sqrt(d)));
                    logits = b.matMul(b.mul(q, s), b.mul(b.transpose(k, 0, 1, 3, 2), s));
                } else {
                    logits = b.div(b.matMul(q, b.transpose(k, 0, 1, 3, 2)), b.constFloat("sqrt_d", (float) Math.sqrt(d)));
                }
                String o = b.matMul(b.softmax(logits, -1), v);
                merged = b.reshape(b.transpose(o, 0, 2, 1, 3), 0, n, c);
            }
            case MS_MHA, ONNX_ATTENTION_3D -> {
                float[] wq = java.util.Arrays.copyOfRange(wqkv, 0, c * c);
                float[] wk = java.util.Arrays.copyOfRange(wqkv, c * c, 2 * c * c);
                float[] wv = java.util.Arrays.copyOfRange(wqkv, 2 * c * c, 3 * c * c);
                String q = b.linear(x, "blocks.0.attn.q", wq, c, c, null);
                String k = b.linear(x, "blocks.0.attn.k", wk, c, c, null);
                String v = b.linear(x, "blocks.0.attn.v", wv, c, c, null);
                Node att = b.node(kind == Kind.MS_MHA ? "MultiHeadAttention" : "Attention", q, k, v);
                if (kind == Kind.MS_MHA) {
                    att.setDomain("com.microsoft");
                    att.set("num_heads", (long) h);
                } else {
                    att.set("q_num_heads", (long) h).set("kv_num_heads", (long) h);
                }
                merged = att.output(0);
            }
            case MS_ATTENTION -> {
                // com.microsoft::Attention takes the packed weight as (C, 3C): [Q | K | V] columns
                float[] wt = new float[c * 3 * c];
                for (int o = 0; o < 3 * c; o++) {
                    for (int i = 0; i < c; i++) {
                        wt[i * 3 * c + o] = wqkv[o * c + i];
                    }
                }
                String w = b.weight("blocks.0.attn.qkv.weight", new long[] {c, 3 * c}, wt);
                String bias = b.weight("blocks.0.attn.qkv.bias", new long[] {3 * c}, bqkv);
                Node att = b.node("Attention", x, w, bias);
                att.setDomain("com.microsoft");
                att.set("num_heads", (long) h);
                merged = att.output(0);
            }
            default -> throw new IllegalStateException();
        }
        String y = b.linear(merged, "blocks.0.attn.proj", gaussian(r, c * c, 1.0 / Math.sqrt(c)), c, c, gaussian(r, c, 0.1));
        b.scope("");
        b.output(y, "y", TensorData.FLOAT, new long[] {-1, n, c}, "batch");
        Map<String, Long> opsets = switch (kind) {
            case MS_MHA, MS_ATTENTION -> Map.of("", 17L, "com.microsoft", 1L);
            case ONNX_ATTENTION_3D -> Map.of("", 23L);
            default -> Map.of("", 17L);
        };
        return new OnnxModel(kind == Kind.ONNX_ATTENTION_3D ? 10 : 8, opsets, g);
    }

    /** Runs a model in ONNX Runtime, also returning the given intermediate tensors. */
    static Map<String, Tensor> run(OnnxModel model, Map<String, Tensor> feed, String... extraOutputs) {
        OnnxModel m = model.copy();
        for (String t : extraOutputs) {
            if (m.graph().outputs().stream().noneMatch(v -> v.getName().equals(t))) {
                m.graph().outputs().add(ValueInfoProto.newBuilder().setName(t)
                        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorData.FLOAT)))
                        .build());
            }
        }
        try {
            Path dir = Files.createTempDirectory("jedge-attn-test");
            Path f = dir.resolve("m.onnx");
            m.save(f, false);
            try (InferenceSession s = new OrtBackend().open(f, SessionOptions.builder().threads(2).build())) {
                return s.run(feed);
            } finally {
                Files.deleteIfExists(f);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- plain-Java reference

    /** Per-head view of a (1,h,N,d) tensor: [head][token][channel]. */
    static float[][][] heads(float[] x, int h, int n, int d) {
        float[][][] o = new float[h][n][d];
        for (int a = 0; a < h; a++) {
            for (int t = 0; t < n; t++) {
                System.arraycopy(x, (a * n + t) * d, o[a][t], 0, d);
            }
        }
        return o;
    }

    /** (1,N,h·d) → [head][token][channel]. */
    static float[][][] splitPacked(float[] x, int h, int n, int d) {
        float[][][] o = new float[h][n][d];
        for (int t = 0; t < n; t++) {
            for (int a = 0; a < h; a++) {
                System.arraycopy(x, t * h * d + a * d, o[a][t], 0, d);
            }
        }
        return o;
    }

    static double[][] softmaxAttention(float[][] q, float[][] k, double[][] v, double scale) {
        int n = q.length;
        int m = k.length;
        int d = v[0].length;
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            double[] w = new double[m];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int c = 0; c < q[i].length; c++) {
                    s += (double) q[i][c] * k[j][c];
                }
                w[j] = s * scale;
                max = Math.max(max, w[j]);
            }
            double sum = 0;
            for (int j = 0; j < m; j++) {
                w[j] = Math.exp(w[j] - max);
                sum += w[j];
            }
            for (int j = 0; j < m; j++) {
                for (int c = 0; c < d; c++) {
                    out[i][c] += w[j] / sum * v[j][c];
                }
            }
        }
        return out;
    }

    static double[][] toDouble(float[][] x) {
        double[][] o = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            o[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                o[i][j] = x[i][j];
            }
        }
        return o;
    }

    static float[][] toFloat(double[][] x) {
        float[][] o = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            o[i] = new float[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                o[i][j] = (float) x[i][j];
            }
        }
        return o;
    }

    /**
     * ELFATT-SD for one sample, written from the formulas: agent heads with the given agent groups
     * (each agent averages the listed token indices), local heads in 1-D blocks of {@code block}.
     */
    static float[][][] elfattSd(float[][][] q, float[][][] k, float[][][] v, double scale, int[][] agentGroups, int block,
            double exponent, double shortcut) {
        int h = q.length;
        int n = q[0].length;
        int d = q[0][0].length;
        int h1 = h / 2;
        float[][][] out = new float[h][][];
        for (int a = 0; a < h1; a++) {
            float[][] agents = new float[agentGroups.length][d];
            for (int i = 0; i < agentGroups.length; i++) {
                for (int t : agentGroups[i]) {
                    for (int c = 0; c < d; c++) {
                        agents[i][c] += q[a][t][c] / agentGroups[i].length;
                    }
                }
            }
            double[][] agentV = softmaxAttention(agents, k[a], toDouble(v[a]), scale);
            double[][] o = softmaxAttention(q[a], agents, agentV, Math.pow(scale, exponent));
            for (int t = 0; t < n; t++) {
                for (int c = 0; c < d; c++) {
                    o[t][c] += shortcut * v[a][t][c];
                }
            }
            out[a] = toFloat(o);
        }
        for (int a = h1; a < h; a++) {
            out[a] = new float[n][];
            for (int t0 = 0; t0 < n; t0 += block) {
                int t1 = Math.min(n, t0 + block);
                float[][] qb = java.util.Arrays.copyOfRange(q[a], t0, t1);
                float[][] kb = java.util.Arrays.copyOfRange(k[a], t0, t1);
                double[][] vb = toDouble(java.util.Arrays.copyOfRange(v[a], t0, t1));
                float[][] ob = toFloat(softmaxAttention(qb, kb, vb, scale));
                System.arraycopy(ob, 0, out[a], t0, t1 - t0);
            }
        }
        return out;
    }

    static float maxDiff(float[][][] a, float[][][] b, int fromHead, int toHead) {
        float m = 0;
        for (int h = fromHead; h < toHead; h++) {
            for (int t = 0; t < a[h].length; t++) {
                for (int c = 0; c < a[h][t].length; c++) {
                    m = Math.max(m, Math.abs(a[h][t][c] - b[h][t][c]));
                }
            }
        }
        return m;
    }
}
