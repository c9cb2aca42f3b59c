package io.jedge.cli;

import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.runtime.backend.trt.TrtBackend;
import java.util.Optional;

/**
 * Whether the native bindings load in this process, one line each, for {@code jedge --version}
 * and {@code jedge device}. Probing loads the libraries; TensorRT's probe is cached process-wide.
 */
final class Bindings {
    private Bindings() {
    }

    /** ONNX Runtime's version and where its native library came from, or why it does not load. */
    static String onnxRuntime() {
        String version = Optional.ofNullable(ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion())
                .orElse("(version unknown)");
        Optional<String> why = new OrtBackend().unavailableReason();
        if (why.isPresent()) {
            return version + "; native library does not load: " + why.get();
        }
        String dir = System.getProperty("onnxruntime.native.path");
        return version + "; native library loads (" + (dir == null ? "extracted from the jar" : "from " + dir) + ")";
    }

    /** Whether the TensorRT Java bindings load, with the TensorRT version, or the reason they do not. */
    static String tensorRt() {
        Optional<String> why = tensorRtUnavailable();
        if (why.isPresent()) {
            return "do not load here: " + why.get();
        }
        try {
            var p = new TrtBackend().platform(0);
            return "load here (TensorRT " + p.tensorrt() + ", " + p.gpu() + ", CUDA " + p.cudaRuntime() + ")";
        } catch (RuntimeException | LinkageError e) {
            return "load here (platform query failed: " + e.getMessage() + ")";
        }
    }

    /** Empty when the TensorRT bindings load and a GPU is visible; else the reason. */
    static Optional<String> tensorRtUnavailable() {
        try {
            return new TrtBackend().unavailableReason();
        } catch (LinkageError e) {
            return Optional.of("TensorRT unavailable: " + e);
        }
    }
}
