package io.jedge.converters.attention.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Checks of the references themselves against other ways of computing the same quantities. */
class ReferenceAttentionTest {
    private static float[][] rand(long seed, int n, int c) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][c];
        for (float[] row : x) {
            for (int i = 0; i < c; i++) {
                row[i] = (float) (r.nextDouble() * 2 - 1);
            }
        }
        return x;
    }

    @Test
    void globalLinearEqualsTheQuadraticOrder() {
        // (softmax_d(q)·softmax_N(k)ᵀ)·v formed as an N×N matrix first must equal q̂·(k̂ᵀ·v)
        int n = 9;
        int heads = 2;
        int d = 3;
        float[][] q = rand(1, n, heads * d);
        float[][] k = rand(2, n, heads * d);
        float[][] v = rand(3, n, heads * d);
        float[][] got = ReferenceAttention.globalLinear(q, k, v, heads);
        for (int h = 0; h < heads; h++) {
            double[][] qh = new double[n][d];
            double[][] kh = new double[n][d];
            for (int t = 0; t < n; t++) {
                double s = 0;
                for (int e = 0; e < d; e++) {
                    s += Math.exp(q[t][h * d + e]);
                }
                for (int e = 0; e < d; e++) {
                    qh[t][e] = Math.exp(q[t][h * d + e]) / s;
                }
            }
            for (int e = 0; e < d; e++) {
                double s = 0;
                for (int t = 0; t < n; t++) {
                    s += Math.exp(k[t][h * d + e]);
                }
                for (int t = 0; t < n; t++) {
                    kh[t][e] = Math.exp(k[t][h * d + e]) / s;
                }
            }
            for (int i = 0; i < n; i++) {
                for (int f = 0; f < d; f++) {
                    double acc = 0;
                    for (int j = 0; j < n; j++) {
                        double a = 0;
                        for (int e = 0; e < d; e++) {
                            a += qh[i][e] * kh[j][e];
                        }
                        acc += a * v[j][h * d + f];
                    }
                    assertEquals(acc, got[i][h * d + f], 1e-6);
                }
            }
        }
    }

    @Test
    void lepeWithACentreKernelIsTheIdentityPlusBias() {
        float[][] v = rand(4, 12, 2);
        float[] w = new float[18];
        w[4] = 1;
        w[9 + 4] = 1;
        float[][] out = ReferenceAttention.lepe(v, 3, 4, w, new float[] {0.5f, -1f});
        for (int t = 0; t < 12; t++) {
            assertEquals(v[t][0] + 0.5f, out[t][0], 1e-6);
            assertEquals(v[t][1] - 1f, out[t][1], 1e-6);
        }
        // a left-neighbour kernel reads zero at the block's left border
        float[] left = new float[18];
        left[3] = 1;
        float[][] shifted = ReferenceAttention.lepe(v, 3, 4, left, new float[2]);
        assertEquals(0f, shifted[4][0]);
        assertEquals(v[4][0], shifted[5][0], 1e-6);
    }

    @Test
    void agentAttentionWithOneAgent() {
        // one agent (the mean query): step 2 has a single key, so every token gets V_A = softmax(A·kᵀ)·v
        int n = 16;
        float[][] q = rand(5, n, 4);
        float[][] k = rand(6, n, 4);
        float[][] v = rand(7, n, 4);
        float[][] out = ReferenceAttention.agent(q, k, v, 2, 4, 4, 1, 0.7, 0.3, 0.0);
        float[][] agent = new float[1][4];
        for (int e = 0; e < 4; e++) {
            double s = 0;
            for (float[] row : q) {
                s += row[e];
            }
            agent[0][e] = (float) (s / n);
        }
        float[][] va = ReferenceAttention.softmaxAttention(agent, k, v, 2, 0.7);
        for (int t = 0; t < n; t++) {
            for (int e = 0; e < 4; e++) {
                assertEquals(va[0][e], out[t][e], 1e-6);
            }
        }
        // constant values pass through both softmaxes unchanged, plus the shortcut
        float[][] ones = new float[n][4];
        for (float[] row : ones) {
            java.util.Arrays.fill(row, 2f);
        }
        float[][] c = ReferenceAttention.agent(q, k, ones, 2, 4, 4, 2, 0.5, 0.15, 0.075);
        assertEquals(2f * 1.075f, c[7][3], 1e-5);
    }

    @Test
    void vanillaRowsAreConvexCombinations() {
        float[][] q = rand(8, 5, 4);
        float[][] k = rand(9, 7, 4);
        float[][] v = new float[7][4];
        for (int j = 0; j < 7; j++) {
            java.util.Arrays.fill(v[j], j);
        }
        float[][] o = ReferenceAttention.vanilla(q, k, v, 2);
        for (float[] row : o) {
            for (float x : row) {
                assertEquals(true, x > 0 && x < 6, "output " + x + " outside the value range");
            }
        }
    }
}
