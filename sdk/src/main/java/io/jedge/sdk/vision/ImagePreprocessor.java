package io.jedge.sdk.vision;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Preprocessing;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Turns images into model input as a bundle's {@link Preprocessing} says: resize to the model's
 * size (bilinear), scale to [0,1], normalise per channel, lay out NCHW or NHWC, RGB order.
 * Stateless and thread-safe.
 */
public final class ImagePreprocessor {
    private final Preprocessing p;

    public ImagePreprocessor(Preprocessing p) {
        if (p == null) {
            throw new IllegalArgumentException("the bundle has no preprocessing section; it is not an image model");
        }
        if (!p.layout().equals("NCHW") && !p.layout().equals("NHWC")) {
            throw new IllegalArgumentException("preprocessing layout '" + p.layout() + "', expected NCHW or NHWC");
        }
        this.p = p;
    }

    /** Reads a PNG/JPEG/BMP/GIF file. */
    public static BufferedImage read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("image " + file + " does not exist");
            }
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IllegalArgumentException("image " + file + " is not a format this JVM reads (PNG, JPEG, BMP, GIF)");
            }
            return img;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read image " + file + " (" + e.getMessage() + ")", e);
        }
    }

    /** One image as a [1,3,H,W] (or [1,H,W,3]) float tensor. */
    public Tensor toTensor(BufferedImage img) {
        float[] out = new float[3 * p.height() * p.width()];
        fill(img, out, 0);
        return Tensor.ofFloats(shape(1), out);
    }

    /** A batch of images as one tensor. */
    public Tensor toTensor(java.util.List<BufferedImage> imgs) {
        int per = 3 * p.height() * p.width();
        float[] out = new float[per * imgs.size()];
        for (int i = 0; i < imgs.size(); i++) {
            fill(imgs.get(i), out, i * per);
        }
        return Tensor.ofFloats(shape(imgs.size()), out);
    }

    private long[] shape(int n) {
        return p.layout().equals("NCHW") ? new long[] {n, 3, p.height(), p.width()} : new long[] {n, p.height(), p.width(), 3};
    }

    private void fill(BufferedImage img, float[] out, int offset) {
        int h = p.height();
        int w = p.width();
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        int[] px = rgb.getRGB(0, 0, w, h, null, 0, w);
        float[] mean = {p.mean().get(0).floatValue(), p.mean().get(1).floatValue(), p.mean().get(2).floatValue()};
        float[] std = {p.std().get(0).floatValue(), p.std().get(1).floatValue(), p.std().get(2).floatValue()};
        boolean nchw = p.layout().equals("NCHW");
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            int v = px[i];
            float[] c = {((v >> 16) & 0xff) / 255f, ((v >> 8) & 0xff) / 255f, (v & 0xff) / 255f};
            for (int ch = 0; ch < 3; ch++) {
                float x = (c[ch] - mean[ch]) / std[ch];
                out[offset + (nchw ? ch * plane + i : i * 3 + ch)] = x;
            }
        }
    }
}
