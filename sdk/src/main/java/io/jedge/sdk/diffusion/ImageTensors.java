package io.jedge.sdk.diffusion;

import io.jedge.sdk.AtomicFiles;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * Converts decoded image tensors ({@code [B, 3, H, W]}, planar RGB) to {@link BufferedImage}s and
 * PNG files. Values are mapped from their {@link PixelRange} to 8 bits, rounded and clamped.
 */
public final class ImageTensors {
    private ImageTensors() {
    }

    /** Image {@code index} of the batch as an 8-bit RGB image. */
    public static BufferedImage toBufferedImage(Tensor image, int index, PixelRange range) {
        long[] s = image.shape();
        if (image.type() != DataType.FLOAT32 || s.length != 4 || s[1] != 3) {
            throw new IllegalArgumentException("image tensor: " + image + ", expected FLOAT32[B,3,H,W]");
        }
        if (index < 0 || index >= s[0]) {
            throw new IllegalArgumentException("image index " + index + ", expected 0.." + (s[0] - 1));
        }
        int h = Math.toIntExact(s[2]);
        int w = Math.toIntExact(s[3]);
        int plane = h * w;
        float[] d = image.floats();
        int base = index * 3 * plane;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            int r = range.toByte(d[base + p]);
            int g = range.toByte(d[base + plane + p]);
            int b = range.toByte(d[base + 2 * plane + p]);
            rgb[p] = (r << 16) | (g << 8) | b;
        }
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }

    /** Writes image {@code index} of the batch as a PNG file. */
    public static void writePng(Tensor image, int index, PixelRange range, Path file) throws IOException {
        BufferedImage img = toBufferedImage(image, index, range);
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer in javax.imageio for " + file + " (registered formats: "
                        + Arrays.toString(ImageIO.getWriterFormatNames()) + ")");
            }
        });
    }
}
