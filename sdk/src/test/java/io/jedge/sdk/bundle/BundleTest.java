package io.jedge.sdk.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BundleTest {
    @TempDir
    Path dir;

    private String json;

    @BeforeEach
    void writeGoodBundle() throws Exception {
        Files.write(dir.resolve("m.onnx"), new byte[] {1, 2, 3});
        Variant v = new Variant("fp32-vanilla", Role.MODEL, "m.onnx", VariantFormat.ONNX, Precision.FP32, AttentionKind.VANILLA,
                1, 8, 32, Bundle.sha256(dir.resolve("m.onnx")), 3, Fingerprint.portable(), Map.of("tokens", "197"),
                List.of(new Figure("host:x", null, "ort-cpu", 2, 1, 1.5, 2.0, 600, null, null, "2026-12-01T00:00:00Z", false)));
        BundleManifest m = new BundleManifest(BundleManifest.SCHEMA_VERSION, "vit", Task.IMAGE_CLASSIFICATION,
                List.of(new TensorSpec("pixels", "float32", List.of(-1L, 3L, 224L, 224L))),
                List.of(new TensorSpec("logits", "float32", List.of(-1L, 1000L))), Preprocessing.imagenet(224), List.of("cat", "dog"),
                Map.of(), List.of(v), List.of(new Report("accuracy", "fp32-vanilla", "fp32-vanilla", "8 seeded", Map.of("cosine", 1.0,
                        "sqnrDb", Double.POSITIVE_INFINITY), List.of(), List.of())), "test", "2026-12-01T00:00:00Z");
        Bundle.write(dir, m);
        json = Files.readString(dir.resolve("bundle.json"));
    }

    @Test
    void roundTrips() throws Exception {
        Bundle b = Bundle.load(dir);
        BundleManifest m = b.manifest();
        assertEquals("vit", m.name());
        assertEquals(Task.IMAGE_CLASSIFICATION, m.task());
        Variant v = m.variants().get(0);
        assertEquals(Precision.FP32, v.precision());
        assertEquals(List.of(-1L, 3L, 224L, 224L), m.inputs().get(0).shape());
        assertEquals(1.5, v.figures().get(0).latencyP50Ms());
        assertEquals("197", v.attributes().get("tokens"));
        assertEquals(List.of("cat", "dog"), m.labels());
        assertEquals(Double.MAX_VALUE, m.reports().get(0).metrics().get("sqnrDb"), "infinite SQNR is stored as the largest double");
        assertEquals(dir.resolve("m.onnx").toAbsolutePath(), b.resolve(v));
    }

    private BundleException broken(String from, String to) throws Exception {
        assertTrue(json.contains(from), "test setup: manifest contains " + from);
        Files.writeString(dir.resolve("bundle.json"), json.replace(from, to));
        return assertThrows(BundleException.class, () -> Bundle.load(dir));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown schema|\"schemaVersion\": 1|\"schemaVersion\": 7|schemaVersion 7 is not supported",
        "unknown precision|\"precision\": \"fp32\"|\"precision\": \"fp8\"|variants[0].precision': unknown precision 'fp8'",
        "unknown format|\"format\": \"onnx\"|\"format\": \"tflite\"|variants[0].format': unknown format 'tflite'",
        "absolute path|\"file\": \"m.onnx\"|\"file\": \"/etc/passwd\"|must be a relative path",
        "parent path|\"file\": \"m.onnx\"|\"file\": \"../m.onnx\"|must not contain '..'",
        "missing file|\"file\": \"m.onnx\"|\"file\": \"gone.onnx\"|'gone.onnx' does not exist",
        "missing field|\"name\": \"vit\",|<none>|field 'name' is missing",
        "wrong type|\"batchMax\": 32|\"batchMax\": \"many\"|variants[0].batchMax': found \"many\", expected a number",
        "bad batch range|\"batchMin\": 1|\"batchMin\": 9|batchMin/batchOpt/batchMax': found 9/8/32",
        "not json|{|[[|not valid JSON",
        "unknown report variant|\"variant\": \"fp32-vanilla\"|\"variant\": \"int8-x\"|reports[0].variant': unknown variant 'int8-x'",
    })
    void damagedManifestsAreRefusedWithTheirField(String name, String from, String to, String message) throws Exception {
        BundleException e = broken(from, to.equals("<none>") ? "" : to);
        assertTrue(e.getMessage().contains(message), name + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("bundle.json"), "names the file: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void digestMismatchIsRefused() throws Exception {
        Files.write(dir.resolve("m.onnx"), new byte[] {9, 9, 9});
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(dir));
        assertTrue(e.getMessage().contains("variants[0].sha256") && e.getMessage().contains("m.onnx"), e.getMessage());
    }

    @Test
    void missingManifestAndDirectory() {
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("not a bundle directory"), e.getMessage());
        Path empty = dir.resolve("empty");
        assertTrue(empty.toFile().mkdir());
        BundleException e2 = assertThrows(BundleException.class, () -> Bundle.load(empty));
        assertTrue(e2.getMessage().contains("missing"), e2.getMessage());
    }

    @Test
    void figuresReplaceOlderOnesFromTheSamePlace() throws Exception {
        Variant v = Bundle.load(dir).manifest().variants().get(0);
        Figure newer = new Figure("host:x", null, "ort-cpu", 2, 1, 1.0, 1.2, 900, null, null, "2026-12-02T00:00:00Z", false);
        Variant w = v.withFigure(newer).withFigure(new Figure("host:x", null, "ort-cpu", 2, 8, 5, 6, 1600, null, null, "t", false));
        assertEquals(2, w.figures().size());
        assertEquals(1.0, w.figures().stream().filter(f -> f.batch() == 1).findFirst().orElseThrow().latencyP50Ms());
    }

    static Figure figure(int batch) {
        return new Figure("host:y", null, "ort-cpu", 1, batch, 1.0, 1.0, 100, null, null, "2026-12-01T00:00:00Z", false);
    }

    @Test
    void concurrentUpdatesEachKeepTheirFigures() throws Exception {
        Bundle stale = Bundle.load(dir);
        // another process records a figure after this one loaded the bundle
        Bundle.load(dir).update(m -> m.withVariant(m.variants().get(0).withFigure(figure(64))));
        stale.update(m -> m.withVariant(m.variants().get(0).withFigure(figure(1))));
        List<Integer> batches = Bundle.load(dir).manifest().variants().get(0).figures().stream()
                .filter(f -> f.device().equals("host:y")).map(Figure::batch).sorted().toList();
        assertEquals(List.of(1, 64), batches, "the update applied to bundle.json as it was on disk, not as loaded");

        List<Thread> threads = new java.util.ArrayList<>();
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int i = 2; i < 10; i++) {
            int batch = i;
            Thread t = new Thread(() -> {
                try {
                    stale.update(m -> m.withVariant(m.variants().get(0).withFigure(figure(batch))));
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(10, Bundle.load(dir).manifest().variants().get(0).figures().stream().filter(f -> f.device().equals("host:y")).count());
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file is left");
        }
    }

    @Test
    void bundleJsonTakesTheModeOfAnyNewFile() throws Exception {
        var perms = Files.getPosixFilePermissions(dir.resolve("bundle.json"));
        assertTrue(perms.contains(java.nio.file.attribute.PosixFilePermission.OWNER_READ));
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        assertEquals(Files.getPosixFilePermissions(plain), perms, "not 0600 whatever the umask");
    }
}
