package io.jedge.runtime.backend.trt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jedge.sdk.bundle.Fingerprint;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrtPlatformTest {
    @Test
    void decodesVersions() {
        assertEquals("10.6.0", TrtPlatform.tensorRtVersion(100600));
        assertEquals("10.3.0", TrtPlatform.tensorRtVersion(100300));
        assertEquals("10.15.1", TrtPlatform.tensorRtVersion(101501));
        assertEquals("8.6.1", TrtPlatform.tensorRtVersion(8601));
        assertEquals("12.6", TrtPlatform.cudaVersion(12060));
        assertEquals("13.0", TrtPlatform.cudaVersion(13000));
        assertEquals("11.8", TrtPlatform.cudaVersion(11080));
    }

    @Test
    void fingerprintCarriesPlatformAndOptions() {
        TrtPlatform p = new TrtPlatform("10.3.0", "Orin", "8.7", "12.6", "12.6", true, 1, 0);
        Fingerprint f = p.toFingerprint("36.4.3", "6.2", Map.of("batch", "1:1:4"));
        assertEquals("10.3.0", f.tensorrt());
        assertEquals("Orin", f.gpu());
        assertEquals("8.7", f.computeCapability());
        assertEquals("12.6", f.cuda());
        assertEquals("36.4.3", f.l4t());
        assertEquals("6.2", f.jetpack());
        assertEquals("1:1:4", f.buildOptions().get("batch"));
        assertEquals("Orin (sm_87, integrated), TensorRT 10.3.0, CUDA 12.6", p.describe());
    }
}
