package io.jedge.converters.attention.reference;

import static io.jedge.converters.attention.reference.ReferenceAttention.columns;
import static io.jedge.converters.attention.reference.ReferenceAttention.concatChannels;
import static io.jedge.converters.attention.reference.ReferenceAttention.globalLinear;
import static io.jedge.converters.attention.reference.ReferenceAttention.lepe;
import static io.jedge.converters.attention.reference.ReferenceAttention.linear;
import static io.jedge.converters.attention.reference.ReferenceAttention.vanilla;

import io.jedge.converters.models.WeightSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A whole ELFATT attention layer for one sample, token by token: qkv, heads 0..h1-1 through the
 * global linear head, the others through exact softmax inside blocks, LePE, concat, proj.
 *
 * <p>Semantics it pins down: prefix tokens are ordinary tokens in the global head and global
 * tokens in the local head (their queries see every token; every block's keys/values include
 * them); padded grid positions hold the qkv of a zero input token (= the qkv bias) and are
 * dropped from the output; local LePE runs per block with zero padding at the block border (a
 * 1-D chunk is a 1×s strip); prefix tokens get no LePE.
 */
public final class ReferenceElfattLayer {
    /** The block layout: exactly one of window side, chunk size, or neither (= one block of everything). */
    public record Blocks(int windowSide, int chunkSize) {
        public static Blocks windows(int side) {
            return new Blocks(side, 0);
        }

        public static Blocks chunks(int size) {
            return new Blocks(0, size);
        }

        public static Blocks whole() {
            return new Blocks(0, 0);
        }
    }

    private ReferenceElfattLayer() {
    }

    public static float[][] forward(float[][] x, String prefix, WeightSource w, int prefixTokens, int gridH, int gridW, int heads,
            int globalHeads, Blocks blocks, boolean withLepe) {
        int c = x[0].length;
        int d = c / heads;
        int c1 = globalHeads * d;
        float[] qkvB = w.get(prefix + ".qkv.bias", 3L * c);
        float[][] qkv = linear(x, w.get(prefix + ".qkv.weight", 3L * c, c), c, 3 * c, qkvB);
        float[][] q = columns(qkv, 0, c);
        float[][] k = columns(qkv, c, 2 * c);
        float[][] v = columns(qkv, 2 * c, 3 * c);
        float[][] merged = null;
        if (c1 > 0) {
            float[][] vg = columns(v, 0, c1);
            float[][] g = globalLinear(columns(q, 0, c1), columns(k, 0, c1), vg, globalHeads);
            if (withLepe) {
                addGridLepe(g, vg, prefixTokens, gridH, gridW, w.get(prefix + ".lepe_global.weight", c1, 1, 3, 3),
                        w.get(prefix + ".lepe_global.bias", c1));
            }
            merged = g;
        }
        if (c1 < c) {
            float[] padQ = Arrays.copyOfRange(qkvB, c1, c);
            float[] padK = Arrays.copyOfRange(qkvB, c + c1, 2 * c);
            float[] padV = Arrays.copyOfRange(qkvB, 2 * c + c1, 3 * c);
            float[][] loc = local(columns(q, c1, c), columns(k, c1, c), columns(v, c1, c), padQ, padK, padV, prefixTokens, gridH, gridW,
                    heads - globalHeads, blocks, withLepe ? w.get(prefix + ".lepe_local.weight", c - c1, 1, 3, 3) : null,
                    withLepe ? w.get(prefix + ".lepe_local.bias", c - c1) : null);
            merged = merged == null ? loc : concatChannels(merged, loc);
        }
        return linear(merged, w.get(prefix + ".proj.weight", c, c), c, c, w.get(prefix + ".proj.bias", c));
    }

    private static void addGridLepe(float[][] out, float[][] v, int p, int gh, int gw, float[] lw, float[] lb) {
        float[][] grid = Arrays.copyOfRange(v, p, p + gh * gw);
        float[][] pe = lepe(grid, gh, gw, lw, lb);
        for (int t = 0; t < pe.length; t++) {
            for (int e = 0; e < pe[t].length; e++) {
                out[p + t][e] += pe[t][e];
            }
        }
    }

    /** One block: grid indices (or -1 for padding) in block-row-major order, shaped bh×bw. */
    private record Block(int[] positions, int bh, int bw) {
    }

    private static List<Block> partition(Blocks blocks, int gh, int gw) {
        List<Block> out = new ArrayList<>();
        if (blocks.windowSide() > 0) {
            int bh = Math.min(blocks.windowSide(), gh);
            int bw = Math.min(blocks.windowSide(), gw);
            for (int by = 0; by * bh < gh; by++) {
                for (int bx = 0; bx * bw < gw; bx++) {
                    int[] pos = new int[bh * bw];
                    for (int i = 0; i < bh; i++) {
                        for (int j = 0; j < bw; j++) {
                            int y = by * bh + i;
                            int xx = bx * bw + j;
                            pos[i * bw + j] = y < gh && xx < gw ? y * gw + xx : -1;
                        }
                    }
                    out.add(new Block(pos, bh, bw));
                }
            }
        } else {
            int n = gh * gw;
            int s = Math.min(blocks.chunkSize(), n);
            for (int start = 0; start < n; start += s) {
                int[] pos = new int[s];
                for (int i = 0; i < s; i++) {
                    pos[i] = start + i < n ? start + i : -1;
                }
                out.add(new Block(pos, 1, s));
            }
        }
        return out;
    }

    private static float[][] local(float[][] q, float[][] k, float[][] v, float[] padQ, float[] padK, float[] padV, int p, int gh, int gw,
            int heads, Blocks blocks, float[] lw, float[] lb) {
        int t = q.length;
        int c = q[0].length;
        if (blocks.windowSide() == 0 && blocks.chunkSize() == 0) {
            float[][] out = vanilla(q, k, v, heads);
            if (lw != null) {
                addGridLepe(out, v, p, gh, gw, lw, lb);
            }
            return out;
        }
        float[][] out = new float[t][c];
        for (Block blk : partition(blocks, gh, gw)) {
            int s = blk.positions().length;
            float[][] bq = new float[s][];
            float[][] bk = new float[p + s][];
            float[][] bv = new float[p + s][];
            float[][] blockV = new float[s][];
            for (int i = 0; i < p; i++) {
                bk[i] = k[i];
                bv[i] = v[i];
            }
            for (int i = 0; i < s; i++) {
                int pos = blk.positions()[i];
                bq[i] = pos < 0 ? padQ : q[p + pos];
                bk[p + i] = pos < 0 ? padK : k[p + pos];
                bv[p + i] = pos < 0 ? padV : v[p + pos];
                blockV[i] = bv[p + i];
            }
            float[][] o = vanilla(bq, bk, bv, heads);
            float[][] pe = lw == null ? null : lepe(blockV, blk.bh(), blk.bw(), lw, lb);
            for (int i = 0; i < s; i++) {
                int pos = blk.positions()[i];
                if (pos >= 0) {
                    for (int e = 0; e < c; e++) {
                        out[p + pos][e] = o[i][e] + (pe == null ? 0f : pe[i][e]);
                    }
                }
            }
        }
        if (p > 0) {
            float[][] po = vanilla(Arrays.copyOfRange(q, 0, p), k, v, heads);
            for (int i = 0; i < p; i++) {
                out[i] = po[i];
            }
        }
        return out;
    }
}
