package io.jedge.runtime.backend.trt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.trt.TrtAvailability.Missing;
import io.jedge.runtime.backend.trt.TrtAvailability.Result;
import org.junit.jupiter.api.Test;

class TrtAvailabilityTest {
    private static Missing classify(String message) {
        return TrtAvailability.classify(new UnsatisfiedLinkError(message), message);
    }

    @Test
    void classifiesLoaderMessages() {
        assertEquals(Missing.JNI_WRAPPERS, classify("no jninvinfer in java.library.path: /usr/java/packages/lib"));
        assertEquals(Missing.JNI_WRAPPERS, classify("no jnicudart in java.library.path"));
        assertEquals(Missing.LIBNVINFER, classify(
                "/tmp/cache/libjninvinfer.so: libnvinfer.so.10: cannot open shared object file: No such file or directory"));
        assertEquals(Missing.CUDA_DRIVER, classify("/tmp/x/libjnicudart.so: libcuda.so.1: cannot open shared object file"));
        assertEquals(Missing.CUDA_RUNTIME, classify("/tmp/x/libjnicudart.so: libcudart.so.12: cannot open shared object file"));
        assertEquals(Missing.CUDA_LIBRARIES, classify("libjnicublas.so: libcublasLt.so.12: cannot open shared object file"));
        assertEquals(Missing.CUDA_LIBRARIES, classify("libjnicudnn.so: libcudnn_graph.so.9: cannot open shared object file"));
        assertEquals(Missing.OTHER, classify("something else entirely"));
        assertEquals(Missing.CLASSES_JAR, TrtAvailability.classify(new NoClassDefFoundError("org/bytedeco/javacpp/Loader"),
                "org/bytedeco/javacpp/Loader"));
        assertEquals(Missing.OTHER, TrtAvailability.classify(
                new NoClassDefFoundError("Could not initialize class org.bytedeco.cuda.global.cudart"),
                "Could not initialize class org.bytedeco.cuda.global.cudart"));
    }

    @Test
    void classifiesCudaStatus() {
        assertEquals(Missing.CUDA_DRIVER, TrtAvailability.classifyCudaError(35));
        assertEquals(Missing.CUDA_DRIVER, TrtAvailability.classifyCudaError(34));
        assertEquals(Missing.NO_GPU, TrtAvailability.classifyCudaError(100));
        assertEquals(Missing.OTHER, TrtAvailability.classifyCudaError(999));
    }

    @Test
    void everyReasonIsOneLineNamingWhatAndHow() {
        for (Missing m : Missing.values()) {
            for (boolean jetson : new boolean[] {true, false}) {
                String r = TrtAvailability.reason(new Result(m, "first line\nsecond line"), jetson);
                assertFalse(r.contains("\n") || r.contains("\r"), r);
                assertTrue(r.startsWith("TensorRT unavailable: "), r);
                assertTrue(r.contains("first line second line"), r);
                if (m != Missing.NO_GPU) {
                    assertTrue(jetson ? r.contains("-Dorg.bytedeco.javacpp.platform.linkpath=/usr/lib/aarch64-linux-gnu:/usr/local/cuda/lib64")
                            : r.contains("shared/gpu/README.md") && r.contains("profile `tensorrt`"), r);
                }
            }
        }
        assertTrue(TrtAvailability.reason(new Result(Missing.LIBNVINFER, ""), false).contains("libnvinfer.so.10"));
        assertTrue(TrtAvailability.reason(new Result(Missing.CUDA_DRIVER, ""), false).contains("libcuda.so.1"));
        assertTrue(TrtAvailability.reason(new Result(Missing.CLASSES_JAR, ""), false).contains("org.bytedeco:tensorrt:10.6-1.5.11"));
        assertTrue(TrtAvailability.reason(new Result(Missing.NO_GPU, ""), false).contains("no CUDA GPU"));
    }

    @Test
    void longDetailIsShortened() {
        String r = TrtAvailability.reason(new Result(Missing.OTHER, "x".repeat(1000)), false);
        assertTrue(r.length() < 600, "length " + r.length());
        assertTrue(r.contains("..."));
    }

    @Test
    void platformNameFollowsJavaCpp() {
        String p = TrtAvailability.javacppPlatform();
        assertTrue(p.matches("[a-z]+-[a-z0-9_]+"), p);
        assertFalse(p.contains("amd64") || p.contains("aarch64"), p);
    }
}
