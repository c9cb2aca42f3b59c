package io.jedge.runtime.backend.trt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jedge.runtime.backend.Backend;
import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Fingerprint;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrtBackendTest {
    @TempDir
    Path dir;

    private static Variant engineVariant(String file, VariantFormat format) {
        return new Variant("fp16-trt", Role.MODEL, file, format, Precision.FP16, AttentionKind.VANILLA, 1, 8, 32,
                "00", 0, new Fingerprint("10.6.0", "NVIDIA H100 80GB HBM3", "9.0", "12.6", null, null, Map.of()),
                Map.of(), List.of());
    }

    @Test
    void nameAndFormats() {
        TrtBackend b = new TrtBackend();
        assertEquals("tensorrt", b.name());
        assertTrue(b.supports(VariantFormat.TENSORRT_ENGINE));
        assertFalse(b.supports(VariantFormat.ONNX));
    }

    @Test
    void missingClassesJarIsReportedAndCachedAndOpenFails() {
        AtomicInteger probes = new AtomicInteger();
        TrtBackend b = new TrtBackend(() -> {
            probes.incrementAndGet();
            return new TrtAvailability.Result(TrtAvailability.Missing.CLASSES_JAR, "class org.bytedeco.tensorrt.global.nvinfer not found");
        });
        String reason = b.unavailableReason().orElseThrow();
        assertTrue(reason.contains("TensorRT classes jar"), reason);
        assertEquals(reason, b.unavailableReason().orElseThrow());
        assertEquals(1, probes.get(), "the probe runs once");

        JedgeException e = assertThrows(JedgeException.class,
                () -> b.openVariant(dir, engineVariant("model.plan", VariantFormat.TENSORRT_ENGINE), TrtSessionOptions.defaults()));
        assertEquals(JedgeException.Code.BACKEND_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("model.plan") && e.getMessage().contains("TensorRT classes jar"), e.getMessage());
        JedgeException e2 = assertThrows(JedgeException.class, () -> b.open(dir.resolve("x.plan"), SessionOptions.defaults()));
        assertEquals(JedgeException.Code.BACKEND_UNAVAILABLE, e2.code());
    }

    @Test
    void openVariantRejectsOnnxVariant() {
        TrtBackend b = new TrtBackend(() -> TrtAvailability.Result.OK);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.openVariant(dir, engineVariant("model.onnx", VariantFormat.ONNX), TrtSessionOptions.defaults()));
        assertTrue(e.getMessage().contains("onnx") && e.getMessage().contains("tensorrt-engine"), e.getMessage());
    }

    @Test
    void realProbeOnThisMachineGivesOneLine() {
        Optional<String> reason = new TrtBackend().unavailableReason();
        assumeTrue(reason.isPresent(), "TensorRT is available here; the missing-TensorRT path cannot be exercised");
        String r = reason.get();
        assertFalse(r.contains("\n"), r);
        assertTrue(r.startsWith("TensorRT unavailable: "), r);
        assertTrue(r.contains("linkpath") || r.contains("shared/gpu/README.md") || r.contains("NVIDIA GPU"), r);
        JedgeException e = assertThrows(JedgeException.class,
                () -> new TrtBackend().openEngine(dir.resolve("m.plan"), null, TrtSessionOptions.defaults()));
        assertEquals(JedgeException.Code.BACKEND_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().endsWith(r), e.getMessage());
        JedgeException p = assertThrows(JedgeException.class, () -> TrtPlatform.current(0));
        assertEquals(JedgeException.Code.BACKEND_UNAVAILABLE, p.code());
    }

    @Test
    void serviceLoaderFindsBothBackendsAndForFormatExplains() {
        List<String> names = Backends.all().stream().map(Backend::name).toList();
        assertTrue(names.contains("tensorrt") && names.contains("ort-cpu"), names.toString());
        Optional<String> reason = new TrtBackend().unavailableReason();
        assumeTrue(reason.isPresent(), "TensorRT is available here");
        JedgeException e = assertThrows(JedgeException.class, () -> Backends.forFormat(VariantFormat.TENSORRT_ENGINE));
        assertEquals(JedgeException.Code.BACKEND_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("tensorrt: TensorRT unavailable"), e.getMessage());
    }
}
