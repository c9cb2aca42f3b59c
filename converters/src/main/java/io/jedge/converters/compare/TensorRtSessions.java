package io.jedge.converters.compare;

import io.jedge.runtime.backend.trt.build.TrtBuildOptions;
import io.jedge.runtime.backend.trt.build.EnginePlan;
import io.jedge.runtime.backend.trt.build.TrtEngineBuilder;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.trt.TrtBackend;
import io.jedge.runtime.backend.trt.TrtSessionOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a TensorRT engine from an ONNX model and opens it: the TensorRT side of a comparison. */
public final class TensorRtSessions implements SessionFactory {
    private final TrtBuildOptions options;

    public TensorRtSessions(TrtBuildOptions options) {
        this.options = options;
    }

    @Override
    public InferenceSession open(Path onnxModel) {
        EnginePlan e = new TrtEngineBuilder(options).build(onnxModel);
        try {
            Path plan = Files.createTempFile("jedge-compare", ".plan");
            e.write(plan);
            plan.toFile().deleteOnExit();
            return new TrtBackend().openEngine(plan, null, TrtSessionOptions.defaults());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the engine for " + onnxModel, ex);
        }
    }
}
