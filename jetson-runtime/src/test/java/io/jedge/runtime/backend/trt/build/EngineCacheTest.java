package io.jedge.runtime.backend.trt.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.trt.TrtPlatform;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Fingerprint;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Engines built on first use, cached beside the bundle, rebuilt when TensorRT or the GPU changes (a fake builder). */
class EngineCacheTest {
    static final TrtPlatform ORIN_103 = new TrtPlatform("10.3.0", "Orin", "8.7", "12.6", "12.6", true, 8L << 30, 0);
    static final TrtPlatform ORIN_104 = new TrtPlatform("10.4.0", "Orin", "8.7", "12.6", "12.6", true, 8L << 30, 0);
    static final TrtPlatform XAVIER = new TrtPlatform("10.3.0", "Xavier", "7.2", "12.6", "12.6", true, 8L << 30, 0);

    @TempDir
    Path dir;

    final AtomicInteger builds = new AtomicInteger();
    final List<String> progress = new ArrayList<>();

    /** A builder that "builds" a plan holding the platform's name. */
    BiFunction<Path, Consumer<String>, EnginePlan> fakeBuilder(TrtPlatform p) {
        return (onnx, log) -> {
            builds.incrementAndGet();
            assertTrue(Files.isRegularFile(onnx), "built from the variant's ONNX file " + onnx);
            log.accept("parsing " + onnx.getFileName());
            return new EnginePlan(("plan for " + p.gpu() + " " + p.tensorrt()).getBytes(StandardCharsets.UTF_8),
                    p.toFingerprint(null, null, Map.of("batch", "1:1:8")), Duration.ZERO, Duration.ofMillis(1200), 42,
                    List.of("pixels"), List.of("logits"), false, 0);
        };
    }

    EngineCache cache(TrtPlatform p) {
        return new EngineCache(TrtBuildOptions.builder().batch(1, 1, 8).build(), progress::add, () -> p, fakeBuilder(p));
    }

    Bundle bundle() throws Exception {
        Files.write(dir.resolve("fp32.onnx"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("fp16.onnx"), new byte[] {4, 5, 6});
        List<Variant> vs = List.of(onnx("fp32-vanilla", "fp32.onnx", Precision.FP32), onnx("fp16-vanilla", "fp16.onnx", Precision.FP16));
        return Bundle.write(dir, new BundleManifest(BundleManifest.SCHEMA_VERSION, "vit", Task.IMAGE_CLASSIFICATION,
                List.of(new TensorSpec("pixels", "float32", List.of(-1L, 3L, 32L, 32L))),
                List.of(new TensorSpec("logits", "float32", List.of(-1L, 10L))), Preprocessing.imagenet(32), List.of(),
                Map.of(), vs, List.of(), "test", "2026-12-02T00:00:00Z"));
    }

    Variant onnx(String id, String file, Precision p) throws Exception {
        return new Variant(id, Role.MODEL, file, VariantFormat.ONNX, p, AttentionKind.VANILLA, 1, 1, 8,
                Bundle.sha256(dir.resolve(file)), 3, Fingerprint.portable(), Map.of(), List.of());
    }

    @Test
    void buildsMissingEnginesOnceAndCachesThemBesideTheBundle() throws Exception {
        EngineCache.Result r = cache(ORIN_103).ensure(bundle(), v -> true);
        assertEquals(2, builds.get());
        assertEquals(List.of(EngineCache.Status.BUILT, EngineCache.Status.BUILT), r.outcomes().stream().map(EngineCache.Outcome::status).toList());
        Bundle reloaded = Bundle.load(dir); // the manifest on disk validates, digests included
        Variant e = reloaded.manifest().variant("fp16-vanilla-trt").orElseThrow();
        assertEquals(VariantFormat.TENSORRT_ENGINE, e.format());
        assertEquals(Precision.FP16, e.precision());
        assertEquals("10.3.0", e.builtFor().tensorrt());
        assertEquals("fp16-vanilla", e.attributes().get("sourceVariant"));
        assertArrayEquals("plan for Orin 10.3.0".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("fp16-vanilla-trt.plan")));
        assertTrue(progress.stream().anyMatch(l -> l.contains("building for") && l.contains("no engine for this device yet")), progress.toString());

        EngineCache.Result again = cache(ORIN_103).ensure(reloaded, v -> true);
        assertEquals(2, builds.get(), "nothing rebuilt on the next load");
        assertTrue(again.outcomes().stream().allMatch(o -> o.status() == EngineCache.Status.UP_TO_DATE), again.outcomes().toString());

        // a plan without detailed layers cannot say which kernels it runs: asked for them, the engines are built again
        EngineCache detailed = new EngineCache(TrtBuildOptions.builder().batch(1, 1, 8).detailedLayers(true).build(), progress::add,
                () -> ORIN_103, fakeBuilder(ORIN_103));
        EngineCache.Result rebuilt = detailed.ensure(Bundle.load(dir), v -> true);
        assertEquals(4, builds.get(), rebuilt.outcomes().toString());
        assertTrue(progress.stream().anyMatch(l -> l.contains("built without the detailed layers asked for")), progress.toString());
    }

    @Test
    void anEngineCarriesItsSourceReportsOnceSoAFidelityFloorCanAdmitIt() throws Exception {
        Bundle b = bundle();
        io.jedge.sdk.bundle.Report acc = new io.jedge.sdk.bundle.Report("accuracy", "fp16-vanilla", "fp32-vanilla", "16 seeded inputs",
                Map.of("cosine", 0.99999), List.of(), List.of());
        b = b.update(new BundleManifest(b.manifest().schemaVersion(), b.manifest().name(), b.manifest().task(), b.manifest().inputs(),
                b.manifest().outputs(), b.manifest().preprocessing(), b.manifest().labels(), b.manifest().pipeline(),
                b.manifest().variants(), List.of(acc), b.manifest().createdBy(), b.manifest().createdAt()));
        cache(ORIN_103).ensure(b, v -> true);
        cache(ORIN_104).ensure(Bundle.load(dir), v -> true); // rebuilt: its reports are replaced, not added again
        List<io.jedge.sdk.bundle.Report> carried = Bundle.load(dir).manifest().reports().stream()
                .filter(r -> r.variant().equals("fp16-vanilla-trt")).toList();
        assertEquals(1, carried.size(), carried.toString());
        assertEquals(0.99999, carried.get(0).metrics().get("cosine"));
        assertEquals("fp32-vanilla", carried.get(0).reference());
        assertTrue(carried.get(0).notes().contains("measured on ONNX variant fp16-vanilla, which this engine was built from"),
                carried.get(0).notes().toString());
        assertTrue(Bundle.load(dir).manifest().reports().stream().noneMatch(r -> r.variant().equals("fp32-vanilla-trt")),
                "a source without reports gives its engine none");
    }

    @Test
    void rebuildsWhenTensorRtOrTheGpuChanges() throws Exception {
        cache(ORIN_103).ensure(bundle(), v -> v.id().equals("fp32-vanilla"));
        EngineCache.Result trt = cache(ORIN_104).ensure(Bundle.load(dir), v -> v.id().equals("fp32-vanilla"));
        assertEquals(EngineCache.Status.REBUILT, trt.outcomes().get(0).status());
        assertTrue(trt.outcomes().get(0).detail().contains("TensorRT version 10.3.0 -> 10.4.0"), trt.outcomes().get(0).detail());
        assertEquals("10.4.0", Bundle.load(dir).manifest().variant("fp32-vanilla-trt").orElseThrow().builtFor().tensorrt());

        EngineCache.Result gpu = cache(XAVIER).ensure(Bundle.load(dir), v -> v.id().equals("fp32-vanilla"));
        assertEquals(EngineCache.Status.REBUILT, gpu.outcomes().get(0).status());
        assertTrue(gpu.outcomes().get(0).detail().contains("compute capability 8.7 -> 7.2"), gpu.outcomes().get(0).detail());
        assertEquals(3, builds.get());
    }

    @Test
    void aMissingPlanFileIsRebuilt() throws Exception {
        Bundle b = cache(ORIN_103).ensure(bundle(), v -> v.id().equals("fp32-vanilla")).bundle();
        Files.delete(dir.resolve("fp32-vanilla-trt.plan")); // deleted while the bundle is open
        EngineCache.Result r = cache(ORIN_103).ensure(b, v -> v.id().equals("fp32-vanilla"));
        assertEquals(EngineCache.Status.REBUILT, r.outcomes().get(0).status());
        assertTrue(Files.isRegularFile(dir.resolve("fp32-vanilla-trt.plan")));
    }

    @Test
    void aFailedBuildIsReportedAndNeverThrown() throws Exception {
        EngineCache failing = new EngineCache(TrtBuildOptions.defaults(), progress::add, () -> ORIN_103, (onnx, log) -> {
            throw new TrtBuildException(TrtBuildException.Stage.PARSE, "ONNX parser: 1 error: node 3 (Attention): unsupported", List.of());
        });
        EngineCache.Result r = failing.ensure(bundle(), v -> true);
        assertEquals(List.of(EngineCache.Status.FAILED, EngineCache.Status.FAILED), r.outcomes().stream().map(EngineCache.Outcome::status).toList());
        assertEquals(2, Bundle.load(dir).manifest().variants().size(), "the ONNX variants stay, nothing half-written");
        assertTrue(progress.stream().anyMatch(l -> l.contains("not built") && l.contains("unsupported")), progress.toString());
    }

    @Test
    void aFailedBuildIsNotRetriedOnEveryLoadButOnRequestOrOnAnotherDevice() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        BiFunction<Path, Consumer<String>, EnginePlan> broken = (onnx, log) -> {
            attempts.incrementAndGet();
            throw new TrtBuildException(TrtBuildException.Stage.PARSE, "ONNX parser: unsupported", List.of());
        };
        EngineCache failing = new EngineCache(TrtBuildOptions.defaults(), progress::add, () -> ORIN_103, broken);
        failing.ensure(bundle(), v -> v.id().equals("fp32-vanilla"));
        assertEquals(1, attempts.get());
        EngineCache.Result again = failing.ensure(Bundle.load(dir), v -> v.id().equals("fp32-vanilla"));
        assertEquals(1, attempts.get(), "the next load does not fail the same build again");
        assertTrue(again.outcomes().get(0).detail().contains("not retried on load"), again.outcomes().toString());
        failing.ensure(Bundle.load(dir), v -> v.id().equals("fp32-vanilla"), true);
        assertEquals(2, attempts.get(), "build-engines retries");
        EngineCache.Result other = cache(ORIN_104).ensure(Bundle.load(dir), v -> v.id().equals("fp32-vanilla"));
        assertEquals(EngineCache.Status.BUILT, other.outcomes().get(0).status(), "another TensorRT tries again and succeeds");
    }
}
