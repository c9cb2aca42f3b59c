package io.jedge.sdk.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jedge.sdk.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTensorsTest {

    private static int expectedByte(double v, PixelRange range) {
        double unit = range == PixelRange.MINUS_ONE_TO_ONE ? v / 2 + 0.5 : v;
        return (int) Math.max(0, Math.min(255, Math.round(unit * 255)));
    }

    /** Two images of 2x3 pixels; image 1 holds values spread over (and beyond) [-1, 1]. */
    private static Tensor sample() {
        int plane = 6;
        float[] d = new float[2 * 3 * plane];
        for (int i = 0; i < 3 * plane; i++) {
            d[i] = 0.123f; // image 0, constant
            d[3 * plane + i] = -1.5f + i * (3.0f / (3 * plane - 1));
        }
        return Tensor.ofFloats(new long[] {2, 3, 2, 3}, d);
    }

    @Test
    void pngRoundTripKeepsSizeAndPixels(@TempDir Path dir) throws Exception {
        Tensor t = sample();
        for (PixelRange range : PixelRange.values()) {
            Path file = dir.resolve(range + ".png");
            ImageTensors.writePng(t, 1, range, file);
            BufferedImage back = ImageIO.read(file.toFile());
            assertNotNull(back, "PNG did not read back");
            assertEquals(3, back.getWidth());
            assertEquals(2, back.getHeight());
            float[] d = t.floats();
            int base = 3 * 6;
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    int p = y * 3 + x;
                    int rgb = back.getRGB(x, y);
                    assertEquals(expectedByte(d[base + p], range), (rgb >> 16) & 0xff, "red at " + x + "," + y);
                    assertEquals(expectedByte(d[base + 6 + p], range), (rgb >> 8) & 0xff, "green at " + x + "," + y);
                    assertEquals(expectedByte(d[base + 12 + p], range), rgb & 0xff, "blue at " + x + "," + y);
                }
            }
        }
        // Clamping at both ends of the [-1, 1] range.
        BufferedImage img = ImageTensors.toBufferedImage(t, 1, PixelRange.MINUS_ONE_TO_ONE);
        assertEquals(0, (img.getRGB(0, 0) >> 16) & 0xff);
        assertEquals(255, img.getRGB(2, 1) & 0xff);
        // Image 0 is the constant 0.123 -> round(0.5615 * 255) = 143.
        assertEquals(143, ImageTensors.toBufferedImage(t, 0, PixelRange.MINUS_ONE_TO_ONE).getRGB(1, 1) & 0xff);
    }

    @Test
    void rejectsNonRgbTensorsAndBadIndices() {
        Tensor gray = Tensor.zeros(1, 1, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageTensors.toBufferedImage(gray, 0, PixelRange.ZERO_TO_ONE));
        assertEquals(true, e.getMessage().contains("[1, 1, 4, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageTensors.toBufferedImage(sample(), 2, PixelRange.ZERO_TO_ONE));
    }
}
