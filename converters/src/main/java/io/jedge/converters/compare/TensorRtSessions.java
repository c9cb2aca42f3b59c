package io.jedge.converters.compare;

import io.jedge.converters.attention.TensorRtReady;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.trt.TrtBackend;
import io.jedge.runtime.backend.trt.TrtSessionOptions;
import io.jedge.runtime.backend.trt.build.EnginePlan;
import io.jedge.runtime.backend.trt.build.TrtBuildOptions;
import io.jedge.runtime.backend.trt.build.TrtEngineBuilder;
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

    /** Builds from the graph jedge's engines are built from ({@link TensorRtReady}; a layer-wise copy only lowered). */
    @Override
    public InferenceSession open(Path source, OnnxModel model, String name) {
        Path onnx = null;
        Path plan = null;
        try {
            OnnxModel m = model != null ? model.copy() : OnnxModel.load(source);
            TensorRtReady.Result ready = TensorRtReady.prepare(m, model == null);
            if (!ready.ready()) {
                throw new IllegalArgumentException(name + " (" + source.getFileName() + "): no TensorRT engine can be built: "
                        + ready.whyNot());
            }
            // the TensorRT parser reads a file
            if (model != null || ready.changed()) {
                onnx = Files.createTempFile("jedge-compare", ".onnx");
                m.save(onnx, false);
            }
            EnginePlan e = new TrtEngineBuilder(options).build(onnx != null ? onnx : source);
            plan = Files.createTempFile("jedge-compare", ".plan");
            e.write(plan);
            return new TrtBackend().openEngine(plan, null, TrtSessionOptions.defaults());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the engine for " + name + " (" + source + ")", ex);
        } finally {
            deleteQuietly(onnx);
            deleteQuietly(plan);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                p.toFile().deleteOnExit();
            }
        }
    }
}
