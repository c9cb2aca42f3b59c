package io.jedge.converters.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaesdDecoderBuilderTest {
    /** Roughly variance-preserving for 3×3×64 fan-in, so activations neither vanish nor explode. */
    static final double STD = 0.06;

    @TempDir
    Path tmp;

    @Test
    void matchesPlainJavaDecoder() {
        TaesdDecoderConfig c = new TaesdDecoderConfig(2, 4, false);
        WeightSource w = new DitBuilderTest.RandomBiases(new SeededWeights(3, STD));
        float[] lat = DitBuilderTest.wave(2 * 4 * 2 * 2, 0.4);
        for (int i = 0; i < lat.length; i++) {
            lat[i] *= 3; // beyond the tanh clamp's linear range
        }
        Tensor got = run(save(TaesdDecoderBuilder.build(c, w), "d.onnx"), lat, 2, 4, 2, 2);
        assertArrayEquals(new long[] {2, 3, 16, 16}, got.shape());
        float[] expected = new float[2 * 3 * 16 * 16];
        for (int b = 0; b < 2; b++) {
            float[] one = new float[16];
            System.arraycopy(lat, b * 16, one, 0, 16);
            float[] img = reference(one, 4, 2, 2, w);
            System.arraycopy(img, 0, expected, b * img.length, img.length);
        }
        float max = 0;
        for (float v : expected) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 0.01, "reference output too small to compare: " + max);
        float diff = DitBuilderTest.maxDiff(expected, got.floats());
        assertTrue(diff < 1e-4 * Math.max(1, max), "max abs diff vs plain-Java TAESD decoder " + diff + " (output max " + max + ")");
    }

    @Test
    void dynamicBatchAndSizeAndClamp() {
        Path m = save(TaesdDecoderBuilder.build(new TaesdDecoderConfig(0, 4, true), new SeededWeights(9, STD)), "dyn.onnx");
        float[] one = DitBuilderTest.wave(4 * 2 * 3, 0.1);
        float[] two = new float[one.length * 2];
        System.arraycopy(one, 0, two, 0, one.length);
        System.arraycopy(DitBuilderTest.wave(one.length, 0.9), 0, two, one.length, one.length);
        Tensor a = run(m, one, 1, 4, 2, 3);
        Tensor b = run(m, two, 2, 4, 2, 3);
        assertArrayEquals(new long[] {1, 3, 16, 24}, a.shape());
        assertArrayEquals(new long[] {2, 3, 16, 24}, b.shape());
        assertTrue(DitBuilderTest.maxDiff(a.floats(), b.sliceBatch(0, 1).floats()) < 1e-5);
        for (float v : b.floats()) {
            assertTrue(v >= 0f && v <= 1f, "clamped image value " + v);
        }
        // without the clamp the same weights leave [0, 1] somewhere (so the clamp is doing something)
        Path raw = save(TaesdDecoderBuilder.build(new TaesdDecoderConfig(0, 4, false), new SeededWeights(9, STD)), "raw.onnx");
        float[] r = run(raw, two, 2, 4, 2, 3).floats();
        boolean outside = false;
        for (int i = 0; i < r.length; i++) {
            outside |= r[i] < 0f || r[i] > 1f;
            assertEquals(Math.min(1f, Math.max(0f, r[i])), b.floats()[i], 1e-6);
        }
        assertTrue(outside, "unclamped output never left [0, 1]");
    }

    @Test
    void safetensorsRoundTripInBothNamings() throws Exception {
        TaesdDecoderConfig c = TaesdDecoderConfig.sd(2);
        SeededWeights seeded = new SeededWeights(4, STD);
        Map<String, long[]> shapes = TaesdDecoderBuilder.weightShapes(c);
        assertEquals(2 + 10 * 6 + 3 + 2, shapes.size());
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, float[]> diffusers = new LinkedHashMap<>();
        Map<String, long[]> diffusersShapes = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            float[] v = seeded.get(e.getKey(), e.getValue());
            values.put(e.getKey(), v);
            // diffusers AutoencoderTiny: decoder.layers.(index - 1)...
            int dot = e.getKey().indexOf('.');
            String name = "decoder.layers." + (Integer.parseInt(e.getKey().substring(0, dot)) - 1) + e.getKey().substring(dot);
            diffusers.put(name, v);
            diffusersShapes.put(name, e.getValue());
        }
        Path file = tmp.resolve("taesd_decoder.safetensors");
        Safetensors.write(file, values, shapes);
        Path dfile = tmp.resolve("diffusion_pytorch_model.safetensors");
        Safetensors.write(dfile, diffusers, diffusersShapes);

        float[] lat = DitBuilderTest.wave(4 * 2 * 2, 0.5);
        float[] a = run(save(TaesdDecoderBuilder.build(c, seeded), "seeded.onnx"), lat, 1, 4, 2, 2).floats();
        OnnxModel fromFile = TaesdDecoderBuilder.build(c, Safetensors.open(file));
        float[] b = run(save(fromFile, "file.onnx"), lat, 1, 4, 2, 2).floats();
        OnnxModel fromDiffusers = TaesdDecoderBuilder.build(c, Safetensors.open(dfile));
        float[] d = run(save(fromDiffusers, "diffusers.onnx"), lat, 1, 4, 2, 2).floats();
        assertArrayEquals(a, b);
        assertArrayEquals(a, d);
        assertTrue(fromDiffusers.metadata().get("jedge.weights").contains("diffusers"), fromDiffusers.metadata().get("jedge.weights"));
        assertEquals("1.0", fromFile.metadata().get("jedge.latent_scaling_factor"));

        // 16-channel latents against a 4-channel checkpoint: the first conv is named
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaesdDecoderBuilder.build(new TaesdDecoderConfig(2, 16, true), Safetensors.open(file)));
        assertTrue(e.getMessage().contains("'1.weight'") && e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void foreignCheckpointIsRejectedWithTheNamesLookedFor() throws Exception {
        Path file = tmp.resolve("other.safetensors");
        Safetensors.write(file, Map.of("encoder.0.weight", new float[4]), Map.of("encoder.0.weight", new long[] {4}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaesdDecoderBuilder.build(TaesdDecoderConfig.sd(2), Safetensors.open(file)));
        assertTrue(e.getMessage().contains("1.weight") && e.getMessage().contains("decoder.layers.0.weight"), e.getMessage());
    }

    @Test
    void referenceConvPadsWithZerosLikePyTorch() {
        // the plain-Java conv the decoder is checked against, on a hand-computable case: a 1/9 box
        // filter on channel 0 over a 3×3 field of ones sees 4, 6 or 9 ones at corner, edge, centre
        float[] x = new float[64 * 9];
        for (int i = 0; i < 9; i++) {
            x[i] = 1f;
        }
        float[] k = new float[64 * 64 * 9];
        for (int i = 0; i < 9; i++) {
            k[i] = 1f / 9;
        }
        float[] h = conv(x, 64, 3, 3, k, null, 64);
        assertEquals(4f / 9, h[0], 1e-6);   // corner sees 4 of 9 ones
        assertEquals(6f / 9, h[1], 1e-6);   // edge sees 6
        assertEquals(1f, h[4], 1e-6);       // centre sees all 9
        assertEquals(0f, h[9], 0f);         // channel 1 stays zero
    }

    // ---- plain-Java reference ----

    private Path save(OnnxModel m, String name) {
        Path p = tmp.resolve(name);
        m.save(p);
        return p;
    }

    static Tensor run(Path model, float[] lat, int n, int c, int h, int w) {
        try (InferenceSession s = new OrtBackend().open(model, SessionOptions.defaults())) {
            return s.run(Map.of("latents", Tensor.ofFloats(new long[] {n, c, h, w}, lat))).get("image");
        }
    }

    /** taesd.py's Decoder, one image, no output clamp. */
    static float[] reference(float[] lat, int c, int h, int wd, WeightSource w) {
        float[] x = new float[lat.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (Math.tanh(lat[i] / 3.0) * 3);
        }
        x = relu(conv(x, c, h, wd, w.get("1.weight", 64, c, 3, 3), w.get("1.bias", 64), 64));
        int[] blocks = {3, 4, 5, -1, 8, 9, 10, -1, 13, 14, 15, -1, 18};
        int up = 7;
        for (int idx : blocks) {
            if (idx < 0) {
                x = upsample(x, 64, h, wd);
                h *= 2;
                wd *= 2;
                x = conv(x, 64, h, wd, w.get(up + ".weight", 64, 64, 3, 3), null, 64);
                up += 5;
                continue;
            }
            float[] y = relu(conv(x, 64, h, wd, w.get(idx + ".conv.0.weight", 64, 64, 3, 3), w.get(idx + ".conv.0.bias", 64), 64));
            y = relu(conv(y, 64, h, wd, w.get(idx + ".conv.2.weight", 64, 64, 3, 3), w.get(idx + ".conv.2.bias", 64), 64));
            y = conv(y, 64, h, wd, w.get(idx + ".conv.4.weight", 64, 64, 3, 3), w.get(idx + ".conv.4.bias", 64), 64);
            for (int i = 0; i < y.length; i++) {
                y[i] += x[i];
            }
            x = relu(y);
        }
        return conv(x, 64, h, wd, w.get("19.weight", 3, 64, 3, 3), w.get("19.bias", 3), 3);
    }

    /** 3×3 convolution, stride 1, zero padding 1, weight [out, in, 3, 3]. */
    static float[] conv(float[] x, int in, int h, int w, float[] k, float[] bias, int out) {
        float[] y = new float[out * h * w];
        for (int o = 0; o < out; o++) {
            for (int r = 0; r < h; r++) {
                for (int col = 0; col < w; col++) {
                    double acc = bias == null ? 0 : bias[o];
                    for (int i = 0; i < in; i++) {
                        for (int dy = -1; dy <= 1; dy++) {
                            int rr = r + dy;
                            if (rr < 0 || rr >= h) {
                                continue;
                            }
                            for (int dx = -1; dx <= 1; dx++) {
                                int cc = col + dx;
                                if (cc >= 0 && cc < w) {
                                    acc += k[((o * in + i) * 3 + dy + 1) * 3 + dx + 1] * x[(i * h + rr) * w + cc];
                                }
                            }
                        }
                    }
                    y[(o * h + r) * w + col] = (float) acc;
                }
            }
        }
        return y;
    }

    static float[] upsample(float[] x, int c, int h, int w) {
        float[] y = new float[c * 4 * h * w];
        for (int i = 0; i < c; i++) {
            for (int r = 0; r < 2 * h; r++) {
                for (int col = 0; col < 2 * w; col++) {
                    y[(i * 2 * h + r) * 2 * w + col] = x[(i * h + r / 2) * w + col / 2];
                }
            }
        }
        return y;
    }

    static float[] relu(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0f, x[i]);
        }
        return y;
    }
}
