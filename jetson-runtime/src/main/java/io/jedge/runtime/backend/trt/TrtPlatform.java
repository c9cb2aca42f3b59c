package io.jedge.runtime.backend.trt;

import io.jedge.sdk.bundle.Fingerprint;
import java.util.Map;

/**
 * The TensorRT/CUDA/GPU combination of this process, as an engine fingerprint compares it.
 *
 * @param tensorrt          TensorRT library version, {@code major.minor.patch}
 * @param gpu               device name as CUDA reports it
 * @param computeCapability {@code major.minor}, e.g. {@code 8.7} for Orin, {@code 9.0} for H100
 * @param cudaRuntime       CUDA runtime version, {@code major.minor}
 * @param cudaDriver        highest CUDA version the driver supports, {@code major.minor}
 * @param integrated        true on Jetson (the GPU shares the host's memory)
 * @param totalMemoryBytes  device memory (on Jetson: the shared system memory)
 * @param device            CUDA device index
 */
public record TrtPlatform(String tensorrt, String gpu, String computeCapability, String cudaRuntime, String cudaDriver,
        boolean integrated, long totalMemoryBytes, int device) {

    /**
     * Queries device {@code device}. Loads TensorRT and CUDA.
     *
     * @throws io.jedge.sdk.JedgeException {@code BACKEND_UNAVAILABLE} when they cannot load
     */
    public static TrtPlatform current(int device) {
        TrtAvailability.require("query the TensorRT platform");
        return NativePlatform.query(device);
    }

    /** A fingerprint for an engine built here; {@code l4t}/{@code jetpack} may be null. */
    public Fingerprint toFingerprint(String l4t, String jetpack, Map<String, String> buildOptions) {
        return new Fingerprint(tensorrt, gpu, computeCapability, cudaRuntime, l4t, jetpack, buildOptions);
    }

    /** Decodes {@code getInferLibVersion()}: {@code M*10000+m*100+p} from TensorRT 10, {@code M*1000+m*100+p} before. */
    public static String tensorRtVersion(int encoded) {
        if (encoded >= 100_000) {
            return (encoded / 10_000) + "." + (encoded / 100 % 100) + "." + (encoded % 100);
        }
        return (encoded / 1000) + "." + (encoded / 100 % 10) + "." + (encoded % 100);
    }

    /** Decodes a CUDA version integer ({@code 12060} is 12.6). */
    public static String cudaVersion(int encoded) {
        return (encoded / 1000) + "." + (encoded % 1000 / 10);
    }

    /** One-line summary, e.g. {@code NVIDIA H100 80GB HBM3 (sm_90), TensorRT 10.6.0, CUDA 12.6}. */
    public String describe() {
        return gpu + " (sm_" + computeCapability.replace(".", "") + (integrated ? ", integrated" : "") + "), TensorRT "
                + tensorrt + ", CUDA " + cudaRuntime;
    }
}
