package io.jedge.sdk.bundle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A valid one-variant classification bundle (a 3-byte stand-in model) that manifest tests start from and then break. */
final class GoodBundle {
    private GoodBundle() {
    }

    /** Writes it into {@code dir}: one class per label, {@code reports} as given. */
    static void write(Path dir, List<String> labels, List<Report> reports) throws Exception {
        Files.write(dir.resolve("m.onnx"), new byte[] {1, 2, 3});
        Variant v = new Variant("fp32-vanilla", Role.MODEL, "m.onnx", VariantFormat.ONNX, Precision.FP32, AttentionKind.VANILLA,
                1, 8, 32, Bundle.sha256(dir.resolve("m.onnx")), 3, Fingerprint.portable(), Map.of("tokens", "197"),
                List.of(new Figure("host:x", null, "ort-cpu", 2, 1, 1.5, 2.0, 600, null, null, "2026-12-01T00:00:00Z", false)));
        Bundle.write(dir, new BundleManifest(BundleManifest.SCHEMA_VERSION, "vit", Task.IMAGE_CLASSIFICATION,
                List.of(new TensorSpec("pixels", "float32", List.of(-1L, 3L, 224L, 224L))),
                List.of(new TensorSpec("logits", "float32", List.of(-1L, (long) labels.size()))), Preprocessing.imagenet(224),
                labels, Map.of(), List.of(v), reports, "test", "2026-12-01T00:00:00Z"));
    }
}
