package io.jedge.converters.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.SeededInputs;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.diffusion.GaussianNoise;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationSetTest {
    @TempDir
    Path tmp;

    @Test
    void seededSamplesDoNotDependOnBatchingAndSeedsDiffer() {
        List<TensorSpec> in = Int8QuantizerTest.SMALL_INPUT;
        CalibrationSet ones = CalibrationSet.seeded(in, 5, 3).withBatchSize(1);
        CalibrationSet fours = CalibrationSet.seeded(in, 5, 3).withBatchSize(4);
        assertEquals(2, fours.batches());
        assertEquals(1, fours.batchSamples(1));
        Tensor b0 = fours.batch(0).get("pixels");
        assertArrayEquals(new long[] {4, 3, 32, 32}, b0.shape());
        float[] third = ones.batch(2).get("pixels").floats();
        float[] fromBatch = b0.sliceBatch(2, 3).floats();
        assertArrayEquals(third, fromBatch);
        float[] otherSeed = CalibrationSet.seeded(in, 5, 4).withBatchSize(1).batch(2).get("pixels").floats();
        assertTrue(third[0] != otherSeed[0]);
        double[] white = meanVar(b0.sliceBatch(0, 1).floats());
        assertTrue(Math.abs(white[0]) < 0.05 && Math.abs(white[1] - 1) < 0.05, "sample 0 is N(0,1): " + Arrays.toString(white));
        // sample 1 is a smooth image: neighbouring pixels nearly agree, unlike white noise
        float[] smooth = b0.sliceBatch(1, 2).floats();
        double[] s = meanVar(smooth);
        double step = 0;
        for (int i = 0; i + 1 < 32; i++) {
            step += Math.abs(smooth[i + 1] - smooth[i]);
        }
        assertTrue(step / 31 < 0.1 * Math.sqrt(s[1]), "row 0 of the smooth sample moves " + step / 31 + " per pixel, std " + Math.sqrt(s[1]));
        assertTrue(s[1] > 0.2, "the smooth sample varies: " + Arrays.toString(s));
    }

    @Test
    void seededSamplesDrawOnlyWhatTheyKeep() {
        TensorSpec image = Int8QuantizerTest.SMALL_INPUT.get(0);
        TensorSpec extra = new TensorSpec("extra", "float32", List.of(-1L, 100L));
        CalibrationSet alone = CalibrationSet.seeded(List.of(image), 4, 9).withBatchSize(1);
        CalibrationSet imageFirst = CalibrationSet.seeded(List.of(image, extra), 4, 9).withBatchSize(1);
        CalibrationSet extraFirst = CalibrationSet.seeded(List.of(extra, image), 4, 9).withBatchSize(1);
        for (int j = 0; j < 4; j++) {
            float[] a = alone.batch(j).get("pixels").floats();
            // no noise is drawn for an image a smooth image then replaces, so an input after it does not move it
            assertArrayEquals(a, imageFirst.batch(j).get("pixels").floats(), "sample " + j);
            // and an input before it takes its own draws first: the image differs, the input is the plain seeded one
            assertTrue(a[0] != extraFirst.batch(j).get("pixels").floats()[0], "sample " + j);
            assertArrayEquals(SeededInputs.feed(List.of(extra), 1, GaussianNoise.forStream(9, j)).get("extra").floats(),
                    extraFirst.batch(j).get("extra").floats(), "sample " + j);
            // seeded: the same seed gives the same values every time
            assertArrayEquals(a, CalibrationSet.seeded(List.of(image), 4, 9).withBatchSize(1).batch(j).get("pixels").floats());
        }
        // the even samples are the plain seeded inputs; the odd ones smooth images
        assertArrayEquals(SeededInputs.feed(List.of(image), 1, GaussianNoise.forStream(9, 2)).get("pixels").floats(),
                alone.batch(2).get("pixels").floats());
        assertTrue(alone.batch(3).get("pixels").floats()[0] != SeededInputs.feed(List.of(image), 1, GaussianNoise.forStream(9, 3))
                .get("pixels").floats()[0]);
    }

    private static double[] meanVar(float[] v) {
        double mean = 0;
        double sq = 0;
        for (float f : v) {
            mean += f;
            sq += f * f;
        }
        mean /= v.length;
        return new double[] {mean, sq / v.length - mean * mean};
    }

    @Test
    void imageFolderIsPreprocessedAndEveryFifthImageHeldOut() throws Exception {
        Random r = new Random(1);
        for (int i = 0; i < 6; i++) {
            BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 30; y++) {
                for (int x = 0; x < 40; x++) {
                    img.setRGB(x, y, r.nextInt(0xffffff));
                }
            }
            ImageIO.write(img, "png", tmp.resolve("img" + i + ".png").toFile());
        }
        PrecisionOptions o = PrecisionOptions.builder().calibrationDir(tmp).build();
        Preprocessing p = Preprocessing.imagenet(32);
        CalibrationSet calib = o.calibrationSet(Int8QuantizerTest.SMALL_INPUT, p);
        CalibrationSet held = o.validationSet(Int8QuantizerTest.SMALL_INPUT, p);
        assertEquals(5, calib.samples());
        assertEquals(1, held.samples());
        assertTrue(held.description().contains("held out"), held.description());
        Tensor t = calib.batch(0).get("pixels");
        assertArrayEquals(new long[] {5, 3, 32, 32}, t.shape());
        // ImageNet normalisation maps [0, 1] to roughly [-2.1, 2.6]
        for (float v : t.floats()) {
            assertTrue(v >= -2.2f && v <= 2.7f, "normalised pixel " + v);
        }
        Int8Quantizer.Calibration c = new Int8Quantizer(Int8Options.defaults()).calibrate(Fp16ConverterTest.smallVit(32, 8), calib, null);
        assertTrue(c.inputs().contains(tmp.toString()));
        assertEquals(8, c.ranges().size());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrecisionOptions.builder().calibrationDir(tmp.resolve("missing")).build());
        assertTrue(e.getMessage().contains("missing") && e.getMessage().contains("does not exist"),
                "a missing folder is refused when the options are built, before any work: " + e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> PrecisionOptions.builder().calibrationDir(tmp).calibrationSeeded(4).build());
    }

    @Test
    void calibrationImagesGoThroughTheBundlesPreprocessing() throws Exception {
        Random r = new Random(2);
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 10; y++) {
                for (int x = 0; x < 12; x++) {
                    img.getRaster().setSample(x, y, 0, r.nextInt(256));
                }
            }
            ImageIO.write(img, "png", tmp.resolve("g" + i + ".png").toFile());
        }
        List<TensorSpec> digits = List.of(new TensorSpec("pixels", "float32", List.of(-1L, 1L, 8L, 8L)));
        Preprocessing p = Preprocessing.defaults(1, 8, 8).toBuilder().crop(0.875).interpolation(Preprocessing.Interpolation.BICUBIC)
                .mean(List.of(0.25)).std(List.of(0.5)).build();
        CalibrationSet calib = PrecisionOptions.builder().calibrationDir(tmp).build().calibrationSet(digits, p).withBatchSize(1);
        assertEquals(3, calib.samples());
        io.jedge.sdk.vision.ImagePreprocessor pre = new io.jedge.sdk.vision.ImagePreprocessor(p);
        for (int i = 0; i < 3; i++) {
            Tensor t = calib.batch(i).get("pixels");
            assertArrayEquals(new long[] {1, 1, 8, 8}, t.shape());
            assertArrayEquals(pre.toTensor(ImageIO.read(tmp.resolve("g" + i + ".png").toFile())).floats(), t.floats(),
                    "calibration sample " + i + " is the image as the bundle preprocesses it");
        }
    }
}
