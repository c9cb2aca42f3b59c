package io.jedge.runtime.backend.trt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.trt.EngineCompatibility.Difference;
import io.jedge.sdk.bundle.Fingerprint;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineCompatibilityTest {
    private static final TrtPlatform H100 = new TrtPlatform("10.6.0", "NVIDIA H100 80GB HBM3", "9.0", "12.6", "13.0",
            false, 80L << 30, 0);
    private static final TrtPlatform ORIN = new TrtPlatform("10.3.0", "Orin", "8.7", "12.6", "12.6", true, 8L << 30, 0);

    private static Fingerprint fp(String trt, String gpu, String cc, String cuda) {
        return new Fingerprint(trt, gpu, cc, cuda, null, null, Map.of("batch", "1:8:32"));
    }

    @Test
    void samePlatformIsCompatibleWithoutMessage() {
        EngineCompatibility c = EngineCompatibility.check("vit.plan", H100.toFingerprint(null, null, Map.of()), H100, null, null);
        assertTrue(c.differences().isEmpty());
        assertTrue(c.compatible(true));
        assertEquals("", c.message());
    }

    @Test
    void jetsonEngineOnH100SaysWhatDiffersAndHowToRebuild() {
        EngineCompatibility c = EngineCompatibility.check("vit-fp16.plan", ORIN.toFingerprint("36.4.3", "6.2", Map.of()), H100,
                null, null);
        assertFalse(c.compatible(false));
        assertEquals("TensorRT version", c.differences().get(0).field());
        assertEquals("compute capability", c.differences().get(1).field());
        assertTrue(c.differences().get(0).blocking() && c.differences().get(1).blocking());
        Difference gpu = c.differences().get(2);
        assertEquals("GPU", gpu.field());
        assertFalse(gpu.blocking());
        String m = c.message();
        assertTrue(m.startsWith("TensorRT engine 'vit-fp16.plan' cannot run here: "), m);
        assertTrue(m.contains("TensorRT version 10.3.0 (engine) vs 10.6.0 (here)"), m);
        assertTrue(m.contains("compute capability 8.7 (engine) vs 9.0 (here)"), m);
        assertTrue(m.contains("GPU Orin (engine) vs NVIDIA H100 80GB HBM3 (here)"), m);
        assertTrue(m.contains("jedge build-engines BUNDLE"), m);
        assertTrue(m.contains("sm_90"), m);
        assertFalse(m.contains("\n"));
    }

    @Test
    void cudaMajorBlocksMinorAdvises() {
        EngineCompatibility major = EngineCompatibility.check("e", fp("10.6.0", null, "9.0", "11.8"), H100, null, null);
        assertFalse(major.compatible(false));
        assertEquals("CUDA major version", major.differences().get(0).field());
        EngineCompatibility minor = EngineCompatibility.check("e", fp("10.6", null, "9.0", "12.4"), H100, null, null);
        assertTrue(minor.compatible(false), minor.message());
        assertFalse(minor.compatible(true));
        assertEquals("CUDA version", minor.differences().get(0).field());
        assertTrue(minor.message().contains("was built on a different device"), minor.message());
        assertTrue(minor.message().contains("If it fails or runs slowly, rebuild it on this device"), minor.message());
    }

    @Test
    void gpuNameIsAdvisoryUnlessStrictAndComparedLoosely() {
        EngineCompatibility same = EngineCompatibility.check("e", fp("10.6.0", "nvidia  H100 80GB HBM3 ", "9.0", "12.6"), H100,
                null, null);
        assertTrue(same.differences().isEmpty(), same.message());
        EngineCompatibility other = EngineCompatibility.check("e", fp("10.6.0", "NVIDIA H100 PCIe", "9.0", "12.6"), H100, null, null);
        assertTrue(other.compatible(false));
        assertFalse(other.compatible(true));
    }

    @Test
    void nullFieldsAreNotCompared() {
        EngineCompatibility c = EngineCompatibility.check("e", fp(null, null, "9.0", null), H100, null, null);
        assertTrue(c.differences().isEmpty());
        EngineCompatibility l4t = EngineCompatibility.check("e", ORIN.toFingerprint("36.4.3", null, Map.of()), ORIN, null, null);
        assertTrue(l4t.differences().isEmpty(), "L4T unknown here: not compared");
        EngineCompatibility l4tDiff = EngineCompatibility.check("e", ORIN.toFingerprint("36.3.0", null, Map.of()), ORIN, "36.4.3",
                null);
        assertEquals("L4T release", l4tDiff.differences().get(0).field());
        assertTrue(l4tDiff.compatible(false));
    }

    @Test
    void patchVersionDifferenceBlocks() {
        EngineCompatibility c = EngineCompatibility.check("e", fp("10.6.1", null, null, null), H100, null, null);
        assertFalse(c.compatible(false));
    }

    @Test
    void versionPrefix() {
        assertEquals("10.6.0", EngineCompatibility.versionPrefix("10.6", 3));
        assertEquals("10.6.0", EngineCompatibility.versionPrefix("10.6.0.26", 3));
        assertEquals("8.7", EngineCompatibility.versionPrefix("8.7", 2));
        assertEquals("12", EngineCompatibility.versionPrefix("12.6", 1));
        assertEquals("9.0", EngineCompatibility.versionPrefix("sm_9.0", 2));
    }
}
