package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.Preprocessing.Interpolation;
import io.jedge.sdk.bundle.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreprocessingOptionsTest {
    static final List<TensorSpec> RGB32 = List.of(new TensorSpec("pixels", "float32", List.of(-1L, 3L, 32L, 32L)));
    static final List<TensorSpec> DIGITS = List.of(new TensorSpec("pixels", "float32", List.of(-1L, 1L, 8L, 8L)));
    static final List<TensorSpec> ANY_SIZE = List.of(new TensorSpec("pixels", "float32", List.of(-1L, 3L, -1L, -1L)));

    @TempDir
    Path tmp;

    Path config(String json) throws Exception {
        Path f = tmp.resolve("cfg" + json.hashCode() + ".json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void nothingAskedKeepsTheModelsSizeAndTheChannelDefaults() {
        assertEquals(Preprocessing.imagenet(32), PreprocessingOptions.none().resolve(RGB32));
        Preprocessing gray = PreprocessingOptions.none().resolve(DIGITS);
        assertEquals(1, gray.channels());
        assertEquals(List.of(0.0), gray.mean());
        assertEquals(List.of(1.0), gray.std());
        assertEquals(Preprocessing.ValueRange.UNIT, gray.range());
        assertNull(PreprocessingOptions.none().resolve(ANY_SIZE), "no fixed size and nothing asked: no preprocessing, as before");
        Preprocessing nhwc = PreprocessingOptions.none().resolve(List.of(new TensorSpec("image", "float32", List.of(-1L, 24L, 32L, 3L))));
        assertEquals(Preprocessing.defaults(3, 24, 32).toBuilder().layout(Preprocessing.Layout.NHWC).build(), nhwc);
        assertNull(PreprocessingOptions.none().resolve(List.of(new TensorSpec("ids", "int64", List.of(-1L, 16L)))));
    }

    @Test
    void timmConfigIsReadAndFlagsOverrideIt() throws Exception {
        Path cfg = config("{\"input_size\":[3,32,32],\"interpolation\":\"bicubic\",\"mean\":[0.5,0.5,0.5],"
                + "\"std\":[0.5,0.5,0.5],\"crop_pct\":0.9,\"num_classes\":10}");
        Preprocessing p = PreprocessingOptions.fromTimmConfig(cfg).resolve(RGB32);
        assertEquals(new Preprocessing(Preprocessing.Layout.NCHW, 3, 32, 32, List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5),
                Interpolation.BICUBIC, 0.9, Preprocessing.ChannelOrder.RGB, Preprocessing.ValueRange.UNIT), p);

        PreprocessingOptions flags = PreprocessingOptions.of(List.of(0.1, 0.2, 0.3), null, null, 0.875, "nearest");
        Preprocessing q = PreprocessingOptions.fromTimmConfig(cfg).overriddenBy(flags).resolve(RGB32);
        assertEquals(List.of(0.1, 0.2, 0.3), q.mean());
        assertEquals(List.of(0.5, 0.5, 0.5), q.std(), "not given as a flag: from the file");
        assertEquals(0.875, q.crop());
        assertEquals(Interpolation.NEAREST, q.interpolation());

        Path hub = config("{\"architecture\":\"vit_tiny\",\"pretrained_cfg\":{\"input_size\":[3,32,32],\"crop_pct\":1.0}}");
        assertEquals(1.0, PreprocessingOptions.fromTimmConfig(hub).resolve(RGB32).crop(), "a hub config.json nests pretrained_cfg");
    }

    @Test
    void resizeGivesAModelOfAnySizeItsInput() {
        Preprocessing p = PreprocessingOptions.of(null, null, 224, null, null).resolve(ANY_SIZE);
        assertEquals(224, p.height());
        assertEquals(224, p.width());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PreprocessingOptions.of(null, null, null, 0.9, null).resolve(ANY_SIZE));
        assertTrue(e.getMessage().contains("give --resize N"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PreprocessingOptions.of(null, null, 0, null, null));
        assertEquals("--resize 0, expected a size of at least 1", e.getMessage());
    }

    @Test
    void mismatchWithTheModelNamesBoth() throws Exception {
        Path cfg = config("{\"input_size\":[3,224,224],\"crop_pct\":0.9}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PreprocessingOptions.fromTimmConfig(cfg).resolve(RGB32));
        assertEquals("--preprocess timm-config " + cfg + " (input_size [3,224,224]) asks for 224x224, but the model's input "
                + "'pixels' is [-1, 3, 32, 32]", e.getMessage());
        assertEquals(32, PreprocessingOptions.fromTimmConfig(cfg).overriddenBy(PreprocessingOptions.of(null, null, 32, null, null))
                .resolve(RGB32).height(), "--resize overrides the file's input_size");

        Path gray = config("{\"input_size\":[1,32,32]}");
        e = assertThrows(IllegalArgumentException.class, () -> PreprocessingOptions.fromTimmConfig(gray).resolve(RGB32));
        assertEquals("the timm config's input_size is for 1 channel(s), but the model's input 'pixels' is [-1, 3, 32, 32]",
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> PreprocessingOptions.of(null, null, 28, null, null).resolve(DIGITS));
        assertEquals("--resize 28 asks for 28x28, but the model's input 'pixels' is [-1, 1, 8, 8]", e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> PreprocessingOptions.of(List.of(0.5, 0.5, 0.5), null, null, null, null).resolve(DIGITS));
        assertTrue(e.getMessage().startsWith("field 'preprocessing.mean': found 3 values") && e.getMessage().contains("[-1, 1, 8, 8]"),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> PreprocessingOptions.of(null, List.of(1.0, 0.0, 1.0), null, null, null)
                .resolve(RGB32));
        assertTrue(e.getMessage().startsWith("field 'preprocessing.std[1]': found 0.0"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> PreprocessingOptions.of(null, null, null, 0.9, null)
                .resolve(List.of(new TensorSpec("ids", "int64", List.of(-1L, 16L)))));
        assertTrue(e.getMessage().contains("'ids' [-1, 16]") && e.getMessage().contains("not one image"), e.getMessage());
    }

    @Test
    void unusableTimmConfigsAreRefusedWithFileAndKey() throws Exception {
        record Case(String json, String message) {
        }
        for (Case c : List.of(
                new Case("{\"interpolation\":\"lanczos\"}", "interpolation: unknown interpolation 'lanczos', expected one of: nearest, bilinear, bicubic"),
                new Case("{\"crop_pct\":0.9,\"crop_mode\":\"squash\"}", "crop_mode 'squash' is not supported, expected center"),
                new Case("{\"mean\":\"imagenet\"}", "mean is \"imagenet\", expected a list of numbers"),
                new Case("{\"input_size\":[224,224]}", "input_size [224,224], expected [C, H, W] of positive integers"),
                new Case("{\"num_classes\":10}", "holds none of [input_size, mean, std, interpolation, crop_pct]"),
                new Case("[1,2]", "expected a JSON object"),
                new Case("{", "not valid JSON"))) {
            Path f = config(c.json());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreprocessingOptions.fromTimmConfig(f));
            assertTrue(e.getMessage().startsWith("--preprocess timm-config " + f + ": ") && e.getMessage().contains(c.message()),
                    c.json() + " -> " + e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PreprocessingOptions.fromTimmConfig(tmp.resolve("missing.json")));
        assertTrue(e.getMessage().contains("missing.json: cannot be read"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void anOversizedConfigIsRefusedBeforeItIsRead() throws Exception {
        Path huge = tmp.resolve("pretrained_cfg.json");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB in no time, and no heap holds it
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreprocessingOptions.fromTimmConfig(huge));
        assertTrue(e.getMessage().endsWith(": 3221225472 bytes, expected a timm pretrained_cfg JSON of at most 1 MiB"), e.getMessage());
    }
}
