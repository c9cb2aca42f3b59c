package io.jedge.converters.attention.reference;

/**
 * Plain-Java reference implementations of the attention variants, written as direct loops over
 * float arrays (accumulating in double) and sharing no code with the graph emitters. Tensors are
 * one sample: {@code float[tokens][channels]}, heads in consecutive channel groups of size d.
 */
public final class ReferenceAttention {
    private ReferenceAttention() {
    }

    /** y = x·Wᵀ + b with a PyTorch Linear weight [out][in] stored row-major. */
    public static float[][] linear(float[][] x, float[] w, int in, int out, float[] b) {
        float[][] y = new float[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    s += (double) x[t][i] * w[o * in + i];
                }
                y[t][o] = (float) s;
            }
        }
        return y;
    }

    /** Channels [from, to) of every token. */
    public static float[][] columns(float[][] x, int from, int to) {
        float[][] y = new float[x.length][to - from];
        for (int t = 0; t < x.length; t++) {
            System.arraycopy(x[t], from, y[t], 0, to - from);
        }
        return y;
    }

    /** Tokens side by side: concat along channels. */
    public static float[][] concatChannels(float[][] a, float[][] b) {
        float[][] y = new float[a.length][a[0].length + b[0].length];
        for (int t = 0; t < a.length; t++) {
            System.arraycopy(a[t], 0, y[t], 0, a[t].length);
            System.arraycopy(b[t], 0, y[t], a[t].length, b[t].length);
        }
        return y;
    }

    private static void softmaxInPlace(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.exp(s[i] - max);
            sum += s[i];
        }
        for (int i = 0; i < s.length; i++) {
            s[i] /= sum;
        }
    }

    /**
     * Multi-head softmax attention: per head, softmax(q·kᵀ·scale)·v over all keys.
     *
     * @param q [Sq][heads·d], k and v [Sk][heads·d]
     */
    public static float[][] softmaxAttention(float[][] q, float[][] k, float[][] v, int heads, double scale) {
        int c = q[0].length;
        int d = c / heads;
        float[][] out = new float[q.length][c];
        double[] s = new double[k.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < q.length; i++) {
                for (int j = 0; j < k.length; j++) {
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += (double) q[i][h * d + e] * k[j][h * d + e];
                    }
                    s[j] = dot * scale;
                }
                softmaxInPlace(s);
                for (int e = 0; e < d; e++) {
                    double acc = 0;
                    for (int j = 0; j < k.length; j++) {
                        acc += s[j] * v[j][h * d + e];
                    }
                    out[i][h * d + e] = (float) acc;
                }
            }
        }
        return out;
    }

    /** Vanilla MHA with the default scale d^-½. */
    public static float[][] vanilla(float[][] q, float[][] k, float[][] v, int heads) {
        return softmaxAttention(q, k, v, heads, 1.0 / Math.sqrt(q[0].length / heads));
    }

    /**
     * Efficient-attention global head: per head, softmax over channels of q, softmax over tokens
     * of k, out = q̂·(k̂ᵀ·v).
     */
    public static float[][] globalLinear(float[][] q, float[][] k, float[][] v, int heads) {
        int n = q.length;
        int c = q[0].length;
        int d = c / heads;
        float[][] out = new float[n][c];
        for (int h = 0; h < heads; h++) {
            double[][] kh = new double[d][n];
            for (int e = 0; e < d; e++) {
                for (int t = 0; t < n; t++) {
                    kh[e][t] = k[t][h * d + e];
                }
                softmaxInPlace(kh[e]);
            }
            double[][] ctx = new double[d][d];
            for (int e = 0; e < d; e++) {
                for (int f = 0; f < d; f++) {
                    double acc = 0;
                    for (int t = 0; t < n; t++) {
                        acc += kh[e][t] * v[t][h * d + f];
                    }
                    ctx[e][f] = acc;
                }
            }
            double[] qh = new double[d];
            for (int t = 0; t < n; t++) {
                for (int e = 0; e < d; e++) {
                    qh[e] = q[t][h * d + e];
                }
                softmaxInPlace(qh);
                for (int f = 0; f < d; f++) {
                    double acc = 0;
                    for (int e = 0; e < d; e++) {
                        acc += qh[e] * ctx[e][f];
                    }
                    out[t][h * d + f] = (float) acc;
                }
            }
        }
        return out;
    }

    /**
     * LePE: depthwise 3×3 conv with bias over a bh×bw map of tokens (row-major), zero padding at
     * the map border.
     *
     * @param w [channels][1][3][3] row-major
     */
    public static float[][] lepe(float[][] v, int bh, int bw, float[] w, float[] bias) {
        int c = v[0].length;
        float[][] out = new float[bh * bw][c];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < bh; y++) {
                for (int x = 0; x < bw; x++) {
                    double acc = bias[ch];
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int yy = y + dy;
                            int xx = x + dx;
                            if (yy >= 0 && yy < bh && xx >= 0 && xx < bw) {
                                acc += (double) w[ch * 9 + (dy + 1) * 3 + (dx + 1)] * v[yy * bw + xx][ch];
                            }
                        }
                    }
                    out[y * bw + x][ch] = (float) acc;
                }
            }
        }
        return out;
    }

    /**
     * Agent attention (Agent-Attention / AgentSD): agents A = average pool of the queries over a
     * {@code side×side} partition of the H×W grid (H and W divisible by side); per head
     * V_A = softmax(A·kᵀ·scale1)·v, out = softmax(q·Aᵀ·scale2)·V_A + shortcut·v.
     */
    public static float[][] agent(float[][] q, float[][] k, float[][] v, int heads, int gridH, int gridW, int side,
            double scale1, double scale2, double shortcut) {
        int c = q[0].length;
        int ch = gridH / side;
        int cw = gridW / side;
        if (gridH % side != 0 || gridW % side != 0 || q.length != gridH * gridW) {
            throw new IllegalArgumentException("grid " + gridH + "x" + gridW + " is not divisible into " + side + "x" + side + " agent cells");
        }
        float[][] agents = new float[side * side][c];
        for (int ay = 0; ay < side; ay++) {
            for (int ax = 0; ax < side; ax++) {
                for (int e = 0; e < c; e++) {
                    double acc = 0;
                    for (int y = ay * ch; y < (ay + 1) * ch; y++) {
                        for (int x = ax * cw; x < (ax + 1) * cw; x++) {
                            acc += q[y * gridW + x][e];
                        }
                    }
                    agents[ay * side + ax][e] = (float) (acc / (ch * cw));
                }
            }
        }
        float[][] va = softmaxAttention(agents, k, v, heads, scale1);
        float[][] out = softmaxAttention(q, agents, va, heads, scale2);
        for (int t = 0; t < out.length; t++) {
            for (int e = 0; e < c; e++) {
                out[t][e] += (float) (shortcut * v[t][e]);
            }
        }
        return out;
    }
}
