package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.JedgeModel;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.TensorFiles;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.vision.Classification;
import io.jedge.sdk.vision.ImageClassifier;
import io.jedge.sdk.vision.ImagePreprocessor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preprocessing from the convert options into bundle.json, and from bundle.json into classify. */
class PreprocessingConvertTest {
    @TempDir
    Path tmp;

    static Path corpus(String name) throws Exception {
        return Path.of(PreprocessingConvertTest.class.getResource("/corpus/" + name).toURI());
    }

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

    static LoadOptions cpu() {
        return LoadOptions.builder().watchPower(false).threads(1).build();
    }

    static float[] logits(JedgeModel m, Tensor pixels) {
        return m.predictor().run(Map.of(m.manifest().inputs().get(0).name(), pixels)).get(m.manifest().outputs().get(0).name()).floats();
    }

    @Test
    void timmConfigLandsInBundleJsonAndClassifyAppliesTheCrop() throws Exception {
        Path cfg = tmp.resolve("pretrained_cfg.json");
        Files.writeString(cfg, "{\"input_size\":[3,32,32],\"interpolation\":\"bicubic\",\"mean\":[0.5,0.5,0.5],"
                + "\"std\":[0.5,0.5,0.5],\"crop_pct\":1.0}");
        Bundle b = new Converter(l -> { }).convert(corpus("timm_vit_legacy").resolve("model.onnx"), tmp.resolve("b"),
                ConversionOptions.builder().preprocessing(PreprocessingOptions.fromTimmConfig(cfg)).build());
        JsonObject pre = JsonParser.parseString(Files.readString(b.manifestFile())).getAsJsonObject().getAsJsonObject("preprocessing");
        assertEquals("bicubic", pre.get("resize").getAsString());
        assertEquals(1.0, pre.get("crop").getAsDouble());
        assertEquals("[0.5,0.5,0.5]", pre.get("mean").toString());
        assertEquals("[0.5,0.5,0.5]", pre.get("std").toString());
        assertEquals(32, pre.get("height").getAsInt());
        assertEquals(3, pre.get("channels").getAsInt());
        Preprocessing recorded = Bundle.load(b.dir()).manifest().preprocessing();
        assertEquals(Task.IMAGE_CLASSIFICATION, b.manifest().task());

        // 48×32 with crop_pct 1.0: the short side is already 32, so no resampling; columns 8..39 are kept.
        BufferedImage wide = patternImage(48, 32);
        float[] byHand = new float[3 * 32 * 32];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    byHand[c * 1024 + y * 32 + x] = (pattern(x + 8, y, c) / 255f - 0.5f) / 0.5f;
                }
            }
        }
        try (JedgeModel m = Jedge.load(b.dir(), cpu())) {
            float[] expected = logits(m, Tensor.ofFloats(new long[] {1, 3, 32, 32}, byHand));
            assertSameClassification(ImageClassifier.topK(expected, 10, List.of()), m.imageClassifier().classify(wide, 10));
            float[] squashed = logits(m, new ImagePreprocessor(recorded.toBuilder().crop(null).build()).toTensor(wide));
            assertTrue(maxAbsDiff(expected, squashed) > 1e-3, "test setup: the crop changes the logits");

            // a 64×64 image is resampled: the recorded bicubic filter is used, not bilinear
            BufferedImage big = patternImage(64, 64);
            float[] bicubic = logits(m, new ImagePreprocessor(recorded).toTensor(big));
            float[] bilinear = logits(m, new ImagePreprocessor(recorded.toBuilder().interpolation(Preprocessing.Interpolation.BILINEAR)
                    .build()).toTensor(big));
            assertTrue(maxAbsDiff(bicubic, bilinear) > 1e-3, "test setup: the filter changes the logits");
            assertSameClassification(ImageClassifier.topK(bicubic, 10, List.of()), m.imageClassifier().classify(big, 10));
        }
    }

    @Test
    void grayscaleDigitsAreClassifiedThroughTheImagePath() throws Exception {
        Bundle b = new Converter(l -> { }).convert(corpus("digits_vit_legacy").resolve("model.onnx"), tmp.resolve("d"),
                ConversionOptions.builder().build());
        Preprocessing p = b.manifest().preprocessing();
        assertEquals(Task.IMAGE_CLASSIFICATION, b.manifest().task(), "a [N,1,8,8] -> [N,10] model is a classifier");
        assertEquals(Preprocessing.defaults(1, 8, 8), p);
        // the held-out digits (values k/16) as 8-bit grayscale images; the model was trained on x/16 in [0,1]
        Tensor x = TensorFiles.readNpy(corpus("digits_data").resolve("test_x.npy"));
        long[] y = TensorFiles.readNpy(corpus("digits_data").resolve("test_y.npy")).longs();
        int n = (int) x.dim(0);
        float[] v = x.floats();
        int correct = 0;
        try (JedgeModel m = Jedge.load(b.dir(), cpu())) {
            ImageClassifier classifier = m.imageClassifier();
            for (int i = 0; i < n; i++) {
                BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
                for (int j = 0; j < 64; j++) {
                    img.getRaster().setSample(j % 8, j / 8, 0, Math.round(v[i * 64 + j] * 255));
                }
                if (classifier.classify(img, 1).get(0).index() == y[i]) {
                    correct++;
                }
            }
        }
        double top1 = correct / (double) n;
        assertTrue(top1 >= 0.97, "top-1 through grayscale images " + top1 + " (torch: 0.992 on the same set)");
    }

    @Test
    void int8CalibratesOnGrayscaleImagesThroughTheBundlesPreprocessing() throws Exception {
        Tensor x = TensorFiles.readNpy(corpus("digits_data").resolve("calib_x.npy"));
        Path dir = Files.createDirectories(tmp.resolve("calib"));
        float[] v = x.floats();
        for (int i = 0; i < 20; i++) {
            BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
            for (int j = 0; j < 64; j++) {
                img.getRaster().setSample(j % 8, j / 8, 0, Math.round(v[i * 64 + j] * 255));
            }
            javax.imageio.ImageIO.write(img, "png", dir.resolve(String.format("d%02d.png", i)).toFile());
        }
        List<String> log = new java.util.ArrayList<>();
        Bundle b = new Converter(log::add).convert(corpus("digits_vit_legacy").resolve("model.onnx"), tmp.resolve("q"),
                ConversionOptions.builder().precisions(List.of(io.jedge.sdk.bundle.Precision.FP32, io.jedge.sdk.bundle.Precision.INT8))
                        .precision(io.jedge.converters.precision.PrecisionOptions.builder().calibrationDir(dir).minCosine(0.9).build())
                        .build());
        io.jedge.sdk.bundle.Report r = b.manifest().reports().stream().filter(x2 -> x2.variant().startsWith("int8")).findFirst()
                .orElseThrow();
        assertTrue(r.inputs().contains(dir.toString()), "the accuracy report names the image folder: " + r.inputs());
        assertTrue(r.metrics().get("cosine") > 0.95, "int8 vs fp32 on held-out images: " + r.metrics());
    }

    static void assertSameClassification(List<Classification> want, List<Classification> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).index(), got.get(i).index(), "rank " + i);
            assertEquals(want.get(i).probability(), got.get(i).probability(), 1e-6f, "rank " + i);
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
