package io.jedge.runtime.backend.trt.build;

import io.jedge.runtime.backend.trt.TrtBackend;
import io.jedge.sdk.JedgeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Builds TensorRT engines from ONNX files. Builds are serialised process-wide (TensorRT's builder
 * is not re-entrant, and jedge keeps one builder per process, because creating one costs seconds
 * and gigabytes of host memory and the 1.5.11 presets cannot delete it).
 *
 * <pre>{@code
 * TrtBuildOptions opts = TrtBuildOptions.builder().batch("1:8:32").workspaceMiB(2048)
 *         .timingCache(Path.of("trt.cache")).build();
 * EnginePlan engine = new TrtEngineBuilder(opts).build(Path.of("vit-fp16.onnx"));
 * engine.write(Path.of("vit-fp16.plan"));  // record engine.fingerprint() with the variant
 * }</pre>
 */
public final class TrtEngineBuilder {
    private final TrtBuildOptions options;
    private Consumer<String> progress = s -> { };

    public TrtEngineBuilder(TrtBuildOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public TrtBuildOptions options() {
        return options;
    }

    /** Receives a line every {@link TrtBuildOptions#progressInterval()} while a build runs (also logged). */
    public TrtEngineBuilder onProgress(Consumer<String> listener) {
        this.progress = listener == null ? s -> { } : listener;
        return this;
    }

    /** Empty when engines can be built here; otherwise the one-line reason. */
    public static Optional<String> unavailableReason() {
        Optional<String> r = new TrtBackend().unavailableReason();
        if (r.isPresent()) {
            return r;
        }
        return NativeBuild.parserUnavailableReason();
    }

    /**
     * Parses {@code onnx} and builds a serialized engine.
     *
     * @throws JedgeException       {@code BACKEND_UNAVAILABLE} without TensorRT; {@code MODEL_LOAD_FAILED} when the file is missing
     * @throws TrtBuildException    when the parser or the builder fails
     * @throws IllegalArgumentException when the model's inputs do not fit the batch options
     */
    public EnginePlan build(Path onnx) {
        Objects.requireNonNull(onnx, "onnx");
        Optional<String> why = unavailableReason();
        if (why.isPresent()) {
            throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "cannot build a TensorRT engine from "
                    + onnx.getFileName() + ": " + why.get());
        }
        if (!Files.isRegularFile(onnx)) {
            throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED, "ONNX model " + onnx + " does not exist");
        }
        return NativeBuild.build(onnx, options, progress);
    }
}
