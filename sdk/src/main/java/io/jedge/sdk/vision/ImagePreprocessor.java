package io.jedge.sdk.vision;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Preprocessing;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns images into model input exactly as a bundle's {@link Preprocessing} says: the one place in
 * jedge where pixels become tensors ({@code jedge run}, {@link ImageClassifier}, INT8 calibration).
 *
 * <p>It reproduces timm's evaluation transform on a PIL image (Resize, CenterCrop, ToTensor,
 * Normalize): resizing follows Pillow's algorithm, antialiased when shrinking (see
 * {@link Preprocessing.Interpolation}); the short side goes to {@code floor(size / crop)} as in
 * timm, the long side to {@code int(short * long / short_in)} as in torchvision; the crop is centred
 * with Python's rounding (halves to even). Grayscale uses PIL's luma weights (299, 587, 114 per
 * mille). Stateless and thread-safe.
 *
 * <pre>{@code
 * ImagePreprocessor pre = new ImagePreprocessor(bundle.manifest().preprocessing());
 * Tensor pixels = pre.toTensor(ImagePreprocessor.read(Path.of("cat.jpg")));   // [1, C, H, W]
 * }</pre>
 */
public final class ImagePreprocessor {
    private final Preprocessing p;

    public ImagePreprocessor(Preprocessing p) {
        if (p == null) {
            throw new IllegalArgumentException("the bundle has no preprocessing section; it is not an image model");
        }
        this.p = p;
    }

    /** Longest image side decoded; a larger one is refused from its header, before any pixel is read. */
    public static final int MAX_SIDE = 16384;
    /** Most pixels decoded (64 Mpx, 256 MB as ARGB). */
    public static final long MAX_PIXELS = 64L << 20;

    /** Reads a PNG/JPEG/BMP/GIF file, refusing from the header one larger than {@link #MAX_SIDE} or {@link #MAX_PIXELS}. */
    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("image " + file + " does not exist");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException("image " + file + " is not a format this JVM reads (PNG, JPEG, BMP, GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS) {
                    throw new IllegalArgumentException("image " + file + " declares " + w + "x" + h + " pixels, expected 1 to "
                            + MAX_SIDE + " per side and at most " + MAX_PIXELS + " pixels; resize it first");
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read image " + file + " (" + e.getMessage() + ")", e);
        }
    }

    /** One image as a [1,C,H,W] (or [1,H,W,C]) float tensor. */
    public Tensor toTensor(BufferedImage img) {
        return toTensor(List.of(img));
    }

    /** A batch of images as one tensor. */
    public Tensor toTensor(List<BufferedImage> imgs) {
        int per = p.channels() * p.height() * p.width();
        float[] out = new float[per * imgs.size()];
        for (int i = 0; i < imgs.size(); i++) {
            fill(imgs.get(i), out, i * per);
        }
        long n = imgs.size();
        long c = p.channels();
        return Tensor.ofFloats(p.layout() == Preprocessing.Layout.NCHW ? new long[] {n, c, p.height(), p.width()}
                : new long[] {n, p.height(), p.width(), c}, out);
    }

    private void fill(BufferedImage img, float[] out, int offset) {
        int iw = img.getWidth();
        int ih = img.getHeight();
        int h = p.height();
        int w = p.width();
        int rw = w;
        int rh = h;
        if (p.crop() != null) {
            int sh = (int) Math.floor(h / p.crop());
            int sw = (int) Math.floor(w / p.crop());
            if (sh == sw) { // torchvision Resize(int): short side to sh, long side truncated
                if (iw <= ih) {
                    rw = sh;
                    rh = (int) ((double) sh * ih / iw);
                } else {
                    rh = sh;
                    rw = (int) ((double) sh * iw / ih);
                }
            } else { // timm ResizeKeepRatio: the smallest size that covers sh×sw
                double ratio = Math.min((double) ih / sh, (double) iw / sw);
                rh = (int) Math.rint(ih / ratio);
                rw = (int) Math.rint(iw / ratio);
            }
            rh = Math.max(rh, h);
            rw = Math.max(rw, w);
        }
        int top = (int) Math.rint((rh - h) / 2.0);
        int left = (int) Math.rint((rw - w) / 2.0);
        byte[][] planes = planes(img);
        boolean nchw = p.layout() == Preprocessing.Layout.NCHW;
        boolean bgr = p.channelOrder() == Preprocessing.ChannelOrder.BGR;
        int channels = p.channels();
        float divisor = (float) p.range().divisor();
        for (int c = 0; c < channels; c++) {
            byte[] r = Resampler.resize(planes[bgr ? channels - 1 - c : c], iw, ih, rw, rh, p.interpolation());
            float mean = p.mean().get(c).floatValue();
            float std = p.std().get(c).floatValue();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    // float32 throughout, as ToTensor then Normalize compute it
                    float v = ((r[(y + top) * rw + x + left] & 0xff) / divisor - mean) / std;
                    int i = y * w + x;
                    out[offset + (nchw ? c * h * w + i : i * channels + c)] = v;
                }
            }
        }
    }

    /** 8-bit planes (unsigned bytes): R, G, B, or one luma plane; read a row at a time to bound memory. */
    private byte[][] planes(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        Raster raster = img.getRaster();
        int n = p.channels();
        byte[][] out = new byte[n][w * h];
        int type = raster.getTransferType();
        boolean grayModel = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY; // gray, or gray + alpha
        if ((raster.getNumBands() == 1 || grayModel) && (type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT)
                && !(img.getColorModel() instanceof IndexColorModel)) {
            // Read gray samples (band 0; alpha dropped as below) as stored: getRGB would run them through a
            // linear-to-sRGB curve (128 became 188). 16-bit samples scale to 8 bits as getRGB scales 16-bit RGB.
            boolean wide = type == DataBuffer.TYPE_USHORT;
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = wide ? (row[x] * 255 + 32767) / 65535 : row[x];
                    for (int c = 0; c < n; c++) {
                        out[c][y * w + x] = (byte) v;
                    }
                }
            }
            return out;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int v = row[x];
                int r = (v >> 16) & 0xff;
                int g = (v >> 8) & 0xff;
                int b = v & 0xff;
                if (n == 1) {
                    out[0][y * w + x] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16); // PIL convert("L")
                } else {
                    out[0][y * w + x] = (byte) r;
                    out[1][y * w + x] = (byte) g;
                    out[2][y * w + x] = (byte) b;
                }
            }
        }
        return out;
    }
}
