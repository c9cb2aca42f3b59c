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
        GoodBundle.write(dir, List.of("cat", "dog"), List.of(new Report("accuracy", "fp32-vanilla", "fp32-vanilla", "8 seeded",
                Map.of("cosine", 1.0, "sqnrDb", Double.POSITIVE_INFINITY), List.of(), List.of())));
        json = Files.readString(dir.resolve("bundle.json"));
    }

    @Test
    void oversizedManifestIsOneClearErrorNotOutOfMemory() throws Exception {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(dir.resolve("bundle.json").toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB of zeros on disk in no time
        }
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(dir));
        assertTrue(e.getMessage().contains("larger than 16 MiB"), e.getMessage());
    }

    @Test
    void aManifestThatWouldNotLoadIsNeverWritten() throws Exception {
        // a report layer named after an ONNX node with a newline: load refuses it, so write must too, before the file
        Report bad = new Report("fidelity", "fp32-vanilla", "fp32-vanilla", "8 seeded", Map.of("cosine", 1.0),
                List.of(new Report.LayerMetric("blocks.0\nforged", Map.of("cosine", 1.0))), List.of());
        BundleException e = assertThrows(BundleException.class, () -> GoodBundle.write(dir, List.of("cat", "dog"), List.of(bad)));
        assertTrue(e.getMessage().contains("expected text without control characters"), e.getMessage());
        assertEquals(json, Files.readString(dir.resolve("bundle.json")), "the bundle on disk is untouched");
        Bundle.load(dir);
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
        "wrong type|\"batchMax\": 32|\"batchMax\": \"many\"|variants[0].batchMax': found \"many\", expected a finite number",
        "bad batch range|\"batchMin\": 1|\"batchMin\": 9|batchMin/batchOpt/batchMax': found 9/8/32",
        "not json|{|[[|not valid JSON",
        "unknown report variant|\"variant\": \"fp32-vanilla\"|\"variant\": \"int8-x\"|reports[0].variant': unknown variant 'int8-x'",
        "std zero|0.224,|0.0,|field 'preprocessing.std[1]': found 0.0, expected a finite number above 0",
        "mean count|0.485,|<none>|field 'preprocessing.mean': found 2 values [0.456, 0.406], expected 3 (one per channel)",
        "crop above 1|\"range\": \"0-1\"|\"range\": \"0-1\", \"crop\": 1.5|field 'preprocessing.crop': found 1.5, expected a fraction in (0, 1]",
        "crop zero|\"range\": \"0-1\"|\"range\": \"0-1\", \"crop\": 0|field 'preprocessing.crop': found 0.0, expected a fraction in (0, 1]",
        "unknown interpolation|\"resize\": \"bilinear\"|\"resize\": \"lanczos\"|field 'preprocessing.resize': unknown interpolation 'lanczos', expected one of: nearest, bilinear, bicubic",
        "unknown range|\"range\": \"0-1\"|\"range\": \"0-2\"|field 'preprocessing.range': unknown value range '0-2', expected one of: 0-1, 0-255",
        "unknown channel order|\"channelOrder\": \"rgb\"|\"channelOrder\": \"rbg\"|field 'preprocessing.channelOrder': unknown channel order 'rbg'",
        "unknown layout|\"layout\": \"NCHW\"|\"layout\": \"CHW\"|field 'preprocessing.layout': unknown layout 'CHW', expected one of: nchw, nhwc",
        "zero height|\"height\": 224|\"height\": 0|field 'preprocessing.height': found 0, expected 1 to 16384",
        "two channels|\"channels\": 3|\"channels\": 2|field 'preprocessing.channels': found 2, expected 1 (grayscale) or 3 (colour)",
        "height vs input|\"height\": 224|\"height\": 225|field 'preprocessing.height': found 225, expected 224 (input 'pixels' is [-1, 3, 224, 224], NCHW)",
        "layout vs input|\"layout\": \"NCHW\"|\"layout\": \"NHWC\"|field 'preprocessing.channels': found 3, expected 224 (input 'pixels'",
    })
    void damagedManifestsAreRefusedWithTheirField(String name, String from, String to, String message) throws Exception {
        BundleException e = broken(from, to.equals("<none>") ? "" : to);
        assertTrue(e.getMessage().contains(message), name + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("bundle.json"), "names the file: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    private BundleManifest withImage(List<Long> inputShape, Preprocessing p) throws Exception {
        BundleManifest m = Bundle.load(dir).manifest();
        return new BundleManifest(m.schemaVersion(), m.name(), m.task(), List.of(new TensorSpec("pixels", "float32", inputShape)),
                m.outputs(), p, m.labels(), m.pipeline(), m.variants(), m.reports(), m.createdBy(), m.createdAt());
    }

    @Test
    void everyPreprocessingFieldRoundTrips() throws Exception {
        Preprocessing nhwc = new Preprocessing(Preprocessing.Layout.NHWC, 3, 20, 30, List.of(0.5, 0.25, 0.125), List.of(0.5, 2.0, 4.0),
                Preprocessing.Interpolation.BICUBIC, 0.9, Preprocessing.ChannelOrder.BGR, Preprocessing.ValueRange.BYTE);
        Bundle.write(dir, withImage(List.of(-1L, 20L, 30L, 3L), nhwc));
        assertEquals(nhwc, Bundle.load(dir).manifest().preprocessing());

        Preprocessing gray = Preprocessing.defaults(1, 8, 8).toBuilder().interpolation(Preprocessing.Interpolation.NEAREST).build();
        Bundle.write(dir, withImage(List.of(-1L, 1L, 8L, 8L), gray));
        Preprocessing back = Bundle.load(dir).manifest().preprocessing();
        assertEquals(gray, back);
        assertEquals(List.of(0.0), back.mean());
        assertEquals(null, back.crop(), "no crop stays no crop");
    }

    @Test
    void manifestsWrittenBeforeTheNewFieldsLoadAsTheyDid() throws Exception {
        String old = json.replace("    \"channels\": 3,\n", "").replace(",\n    \"channelOrder\": \"rgb\"", "")
                .replace(",\n    \"range\": \"0-1\"", "");
        assertTrue(!old.contains("channelOrder") && !old.contains("\"range\"") && !old.contains("\"channels\""), "test setup: " + old);
        Files.writeString(dir.resolve("bundle.json"), old);
        assertEquals(Preprocessing.imagenet(224), Bundle.load(dir).manifest().preprocessing());
    }

    @Test
    void preprocessingIsValidatedWhenBuilt() {
        Preprocessing p = Preprocessing.imagenet(32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.toBuilder().std(List.of(1.0, Double.NaN, 1.0)).build());
        assertEquals("field 'preprocessing.std[1]': found NaN, expected a finite number above 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.toBuilder().channels(1).build());
        assertEquals("field 'preprocessing.mean': found 3 values [0.485, 0.456, 0.406], expected 1 (one per channel)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Preprocessing.defaults(1, 8, 8).toBuilder()
                .channelOrder(Preprocessing.ChannelOrder.BGR).build());
        assertTrue(e.getMessage().startsWith("field 'preprocessing.channelOrder': found bgr"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.toBuilder().size(32, 0).build());
        assertEquals("field 'preprocessing.width': found 0, expected 1 to 16384", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.toBuilder().interpolation(null).build());
        assertEquals("field 'preprocessing.resize' is missing", e.getMessage());
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
