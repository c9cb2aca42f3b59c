package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jedge compare} end to end (the command lives in {@code io.jedge.cli.convert}). */
class CompareCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aVariantComparedWithItselfLayerByLayerNeverParts() {
        Path model = tmp.resolve("vit.onnx");
        JedgeCliTest.Result b = JedgeCliTest.jedge("build-model", "vit", "--preset", "micro", "--image-size", "32", "--patch", "8", "--dim", "32",
                "--heads", "2", "--depth", "1", "--classes", "10", "--seed", "5", "-o", model.toString());
        assertEquals(0, b.code(), b.err());
        Path bundle = tmp.resolve("b");
        JedgeCliTest.Result c = JedgeCliTest.jedge("convert", model.toString(), "-o", bundle.toString(), "--attention", "keep",
                "--precision", "fp32,fp16");
        assertEquals(0, c.code(), c.err());

        JedgeCliTest.Result r = JedgeCliTest.jedge("compare", bundle.toString(), "--variants", "fp32-vanilla,fp32-vanilla", "--layerwise", "--samples", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 input(s)") && r.out().contains("cosine 1.000000") && r.out().contains("max abs 0"), r.out());
        assertTrue(r.out().contains("top-1 agreement 1.0000") && r.out().contains("no layer parts from A"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\d+ shared intermediate tensors compared\\n.*"), r.out());

        // FP16 against FP32: the figures must move, and only a little
        JedgeCliTest.Result h = JedgeCliTest.jedge("compare", bundle.toString(), "--variants", "fp32-vanilla,fp16-vanilla", "--samples", "2");
        assertEquals(0, h.code(), h.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cosine (\\d\\.\\d+)\\s+max abs (\\S+)").matcher(h.out());
        assertTrue(m.find(), h.out());
        double cosine = Double.parseDouble(m.group(1));
        assertTrue(cosine > 0.99 && Double.parseDouble(m.group(2)) > 0, "FP16 differs from FP32, slightly: " + h.out());
    }
}
