package io.jedge.sdk.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.Preprocessing.ChannelOrder;
import io.jedge.sdk.bundle.Preprocessing.Interpolation;
import io.jedge.sdk.bundle.Preprocessing.Layout;
import io.jedge.sdk.bundle.Preprocessing.ValueRange;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {
    /** A deterministic test pattern; tools/preprocessing/pil_reference.py draws the same one. */
    static int pattern(int x, int y, int k) {
        return (x * 37 + y * 91 + k * 53 + x * y * 7 + ((x ^ y) * 13)) % 256;
    }

    static BufferedImage patternImage(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (pattern(x, y, 0) << 16) | (pattern(x, y, 1) << 8) | pattern(x, y, 2));
            }
        }
        return img;
    }

    /** Identity normalisation on [0,255], so tensor values are the 8-bit pixels after resize and crop. */
    static Preprocessing raw(int channels, int h, int w, Interpolation f, Double crop) {
        List<Double> zero = channels == 1 ? List.of(0.0) : List.of(0.0, 0.0, 0.0);
        List<Double> one = channels == 1 ? List.of(1.0) : List.of(1.0, 1.0, 1.0);
        return Preprocessing.defaults(channels, h, w).toBuilder().mean(zero).std(one).range(ValueRange.BYTE).interpolation(f)
                .crop(crop).build();
    }

    static int[] ints(Tensor t) {
        float[] f = t.floats();
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Math.round(f[i]);
            assertEquals(out[i], f[i], 0.0, "identity normalisation leaves whole numbers");
        }
        return out;
    }

    @Test
    void cropPctCentresTheCropOnTheLongSide() {
        // 6×4 image, 4×4 input, crop_pct 0.875: short side floor(4 / 0.875) = 4 (no resize), width 6
        // cropped at round((6 - 4) / 2) = 1, so the tensor is columns 1..4 of the image.
        BufferedImage img = patternImage(6, 4);
        Tensor t = new ImagePreprocessor(raw(3, 4, 4, Interpolation.BICUBIC, 0.875)).toTensor(img);
        assertArrayEquals(new long[] {1, 3, 4, 4}, t.shape());
        int[] v = ints(t);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    assertEquals(pattern(x + 1, y, c), v[c * 16 + y * 4 + x], "channel " + c + " at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void centreCropRoundsHalvesToEvenAsPythonDoes() {
        // 7 wide, 4 cropped: round(1.5) = 2 in Python (torchvision's CenterCrop), not 1.
        int[] v = ints(new ImagePreprocessor(raw(1, 4, 4, Interpolation.NEAREST, 1.0)).toTensor(grayImage(7, 4)));
        assertEquals(2 * 10, v[0], "first column is column 2");
        // 8 wide, 4 cropped: (8 - 4) / 2 = 2 exactly; 9 wide: round(2.5) = 2.
        assertEquals(2 * 10, ints(new ImagePreprocessor(raw(1, 4, 4, Interpolation.NEAREST, 1.0)).toTensor(grayImage(9, 4)))[0]);
    }

    /** Gray image whose value is 10 × column + row. */
    private static BufferedImage grayImage(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, 10 * x + y);
            }
        }
        return img;
    }

    /** Expected values from Pillow 9.4 (tools/preprocessing/pil_reference.py with the same arguments). */
    @ParameterizedTest(name = "{0}x{1} -> {2}x{3} crop {4} {5} {6}ch")
    @CsvSource(delimiter = '|', value = {
        "6|4|2|2|0.875|bicubic|3|80 158 98 124 109 113 96 142 168 107 153 150",
        "6|4|2|2|0.875|bilinear|3|87 151 100 124 109 117 100 136 162 115 153 148",
        "6|4|2|2|0.875|nearest|3|135 249 101 191 188 46 154 244 241 99 207 41",
        "9|7|4|4|none|bicubic|3|82 169 152 121 101 127 96 145 128 146 125 108 127 177 168 145 110 131 138 125 93 114 118 89 "
                + "128 163 165 109 91 100 84 127 169 95 120 161 150 144 134 119 115 172 119 117 118 124 107 112",
        "50|30|5|5|0.9|bicubic|1|122 112 115 122 119 122 138 134 130 127 132 126 128 126 126 126 121 117 121 123 121 124 133 115 120",
        "5|3|6|7|none|bicubic|1|31 59 104 148 162 193 226 62 90 119 132 146 174 200 127 156 152 96 113 134 144 136 154 138 75 103 "
                + "112 101 89 87 78 72 119 112 76 67 55 50 70 126 111 63",
    })
    void resizeMatchesPillowExactly(int iw, int ih, int h, int w, String crop, String filter, int channels, String expected) {
        Preprocessing p = raw(channels, h, w, Interpolation.parse(filter), crop.equals("none") ? null : Double.valueOf(crop));
        int[] want = java.util.Arrays.stream(expected.trim().split(" +")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(want, ints(new ImagePreprocessor(p).toTensor(patternImage(iw, ih))));
    }

    @Test
    void meanStdRangeAndChannelOrder() {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                img.setRGB(x, y, (255 << 16) | (128 << 8));
            }
        }
        Preprocessing imagenet = Preprocessing.defaults(3, 2, 3);
        float[] v = new ImagePreprocessor(imagenet).toTensor(img).floats();
        assertEquals((1f - 0.485f) / 0.229f, v[0], 0f, "R plane, float32 as ToTensor + Normalize");
        assertEquals((128 / 255f - 0.456f) / 0.224f, v[6], 0f, "G plane");
        assertEquals((0f - 0.406f) / 0.225f, v[12], 0f, "B plane");

        Preprocessing bgr = imagenet.toBuilder().channelOrder(ChannelOrder.BGR).range(ValueRange.BYTE)
                .mean(List.of(100.0, 50.0, 10.0)).std(List.of(2.0, 4.0, 5.0)).build();
        float[] b = new ImagePreprocessor(bgr).toTensor(img).floats();
        assertEquals((0 - 100) / 2f, b[0], 0f, "first plane is blue, with the first mean/std");
        assertEquals((128 - 50) / 4f, b[6], 0f, "second plane is green");
        assertEquals((255 - 10) / 5f, b[12], 0f, "third plane is red");

        Tensor nhwc = new ImagePreprocessor(bgr.toBuilder().layout(Layout.NHWC).build()).toTensor(List.of(img, img));
        assertArrayEquals(new long[] {2, 2, 3, 3}, nhwc.shape());
        float[] n = nhwc.floats();
        assertArrayEquals(new float[] {b[0], b[6], b[12]}, new float[] {n[0], n[1], n[2]}, "channels interleaved");
        assertEquals(n[0], n[18], 0f, "second image follows the first");
    }

    @Test
    void grayscaleUsesPilLumaAndReadsGraySamplesAsStored() {
        BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 4; i++) {
            rgb.setRGB(i % 2, i / 2, (255 << 16) | (128 << 8) | 7);
        }
        Preprocessing gray = raw(1, 2, 2, Interpolation.BILINEAR, null);
        // PIL convert("L"): (255 * 19595 + 128 * 38470 + 7 * 7471 + 32768) >> 16 = 152
        assertEquals(152, ints(new ImagePreprocessor(gray).toTensor(rgb))[0]);

        BufferedImage g = grayImage(2, 2);
        g.getRaster().setSample(0, 0, 0, 100);
        assertNotEquals(100, g.getRGB(0, 0) & 0xff, "test setup: getRGB brightens linear gray");
        assertEquals(100, ints(new ImagePreprocessor(gray).toTensor(g))[0], "gray sample read as stored");
        int[] asRgb = ints(new ImagePreprocessor(raw(3, 2, 2, Interpolation.BILINEAR, null)).toTensor(g));
        assertArrayEquals(new int[] {100, 100, 100}, new int[] {asRgb[0], asRgb[4], asRgb[8]}, "gray replicated to RGB");
    }

    @Test
    void sixteenBitAndGrayAlphaSamplesAreReadAsStoredToo() {
        // ImageIO reads 16-bit gray PNGs as TYPE_USHORT_GRAY and gray + alpha PNGs with a linear gray model: through
        // getRGB a stored 128 became 188 (found with real PNGs, benchmarks/walkthrough-classify-cpu-2026-12-03.md)
        Preprocessing gray = raw(1, 2, 2, Interpolation.BILINEAR, null);
        BufferedImage wide = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        wide.getRaster().setSample(0, 0, 0, 128 * 257);
        wide.getRaster().setSample(1, 0, 0, 65535);
        assertNotEquals(128, wide.getRGB(0, 0) & 0xff, "test setup: getRGB brightens linear gray");
        int[] v = ints(new ImagePreprocessor(gray).toTensor(wide));
        assertArrayEquals(new int[] {128, 255, 0}, new int[] {v[0], v[1], v[2]});

        java.awt.image.ColorModel grayAlpha = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY), true, false,
                java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_BYTE);
        BufferedImage ga = new BufferedImage(grayAlpha, grayAlpha.createCompatibleWritableRaster(2, 2), false, null);
        ga.getRaster().setSample(0, 0, 0, 128);
        ga.getRaster().setSample(0, 0, 1, 255);
        assertNotEquals(128, ga.getRGB(0, 0) & 0xff, "test setup: getRGB brightens linear gray");
        assertEquals(128, ints(new ImagePreprocessor(gray).toTensor(ga))[0]);
        assertEquals(128, ints(new ImagePreprocessor(raw(3, 2, 2, Interpolation.BILINEAR, null)).toTensor(ga))[0]);
    }
}
