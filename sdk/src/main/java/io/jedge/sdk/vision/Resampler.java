package io.jedge.sdk.vision;

import io.jedge.sdk.bundle.Preprocessing.Interpolation;

/**
 * Resizes one 8-bit plane the way Pillow's {@code Image.resize} does (libImaging/Resample.c and
 * Geometry.c), because torchvision and timm resize PIL images and models are trained on that output:
 * <ul>
 *   <li>bilinear and bicubic: a separable convolution, the horizontal pass first. The kernel is a
 *       triangle (support 1) or Keys' cubic with a = -0.5 (support 2), widened by the scale factor when
 *       shrinking, so the result is antialiased. Weights are normalised per output pixel and held in
 *       22-bit fixed point; each pass rounds and clips to 8 bits, as Pillow does;</li>
 *   <li>nearest: the source pixel under each output pixel's centre.</li>
 * </ul>
 * Same size in and out returns the input unchanged.
 */
final class Resampler {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampler() {
    }

    /** {@code src} is row-major {@code w}×{@code h} unsigned bytes; returns {@code ow}×{@code oh}. */
    static byte[] resize(byte[] src, int w, int h, int ow, int oh, Interpolation f) {
        if (ow == w && oh == h) {
            return src;
        }
        if (f == Interpolation.NEAREST) {
            return nearest(src, w, h, ow, oh);
        }
        byte[] out = src;
        if (ow != w) {
            out = pass(out, w, h, ow, true, f);
        }
        if (oh != h) {
            out = pass(out, ow, h, oh, false, f);
        }
        return out;
    }

    private static byte[] nearest(byte[] src, int w, int h, int ow, int oh) {
        int[] xs = nearestIndex(w, ow);
        int[] ys = nearestIndex(h, oh);
        byte[] out = new byte[ow * oh];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                out[y * ow + x] = src[ys[y] * w + xs[x]];
            }
        }
        return out;
    }

    /** Pillow accumulates the position in a double (not (i + 0.5) * scale), which decides exact ties. */
    private static int[] nearestIndex(int in, int out) {
        double scale = (double) in / out;
        double pos = scale * 0.5;
        int[] idx = new int[out];
        for (int i = 0; i < out; i++) {
            idx[i] = Math.min((int) pos, in - 1);
            pos += scale;
        }
        return idx;
    }

    /** One direction: every row (horizontal) or column (vertical) of {@code src} from its length to {@code outSize}. */
    private static byte[] pass(byte[] src, int w, int h, int outSize, boolean horizontal, Interpolation f) {
        int inSize = horizontal ? w : h;
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = (f == Interpolation.BICUBIC ? 2.0 : 1.0) * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] taps = new int[outSize];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        double inv = 1.0 / filterScale; // Pillow multiplies by the reciprocal; dividing can differ in the last bit
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            int min = Math.max((int) (center - support + 0.5), 0);
            int n = Math.min((int) (center + support + 0.5), inSize) - min;
            double sum = 0;
            for (int t = 0; t < n; t++) {
                k[t] = kernel((t + min - center + 0.5) * inv, f);
                sum += k[t];
            }
            for (int t = 0; t < n; t++) {
                double v = sum != 0 ? k[t] / sum : k[t];
                weights[o * ksize + t] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
            }
            first[o] = min;
            taps[o] = n;
        }
        int ow = horizontal ? outSize : w;
        int lines = horizontal ? h : w;
        int step = horizontal ? 1 : w;
        byte[] out = new byte[horizontal ? outSize * h : w * outSize];
        for (int line = 0; line < lines; line++) {
            int base = horizontal ? line * w : line;
            for (int o = 0; o < outSize; o++) {
                int acc = 1 << (PRECISION_BITS - 1);
                int at = base + first[o] * step;
                int kw = o * ksize;
                for (int t = 0; t < taps[o]; t++, at += step) {
                    acc += (src[at] & 0xff) * weights[kw + t];
                }
                int v = acc >> PRECISION_BITS;
                out[horizontal ? line * ow + o : o * w + line] = (byte) (v < 0 ? 0 : Math.min(v, 255));
            }
        }
        return out;
    }

    private static double kernel(double x, Interpolation f) {
        x = Math.abs(x);
        if (f == Interpolation.BILINEAR) {
            return x < 1 ? 1 - x : 0;
        }
        final double a = -0.5;
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0;
    }
}
