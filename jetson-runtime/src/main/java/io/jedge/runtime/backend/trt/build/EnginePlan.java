package io.jedge.runtime.backend.trt.build;

import io.jedge.sdk.AtomicFiles;
import io.jedge.sdk.bundle.Fingerprint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A built engine: the serialized plan and what it was built for. The plan array is not copied
 * (plans run to hundreds of MB); do not modify it.
 *
 * @param plan            serialized TensorRT engine
 * @param fingerprint     platform and options; record it with the variant
 * @param parseTime       ONNX parsing
 * @param buildTime       {@code buildSerializedNetwork}
 * @param layers          layers of the parsed network
 * @param inputs          network inputs as parsed, e.g. {@code pixels[?,3,224,224] kFLOAT}
 * @param outputs         network outputs as parsed
 * @param timingCacheHit  whether an existing timing cache file was loaded and accepted
 * @param warnings        TensorRT warnings during the build
 */
public record EnginePlan(byte[] plan, Fingerprint fingerprint, Duration parseTime, Duration buildTime, int layers,
        List<String> inputs, List<String> outputs, boolean timingCacheHit, int warnings) {
    public EnginePlan {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** Writes the plan atomically (temporary file, then move). */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, plan);
    }
}
