package io.jedge.runtime.backend.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jedge.runtime.backend.Backend;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.bundle.VariantFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** ONNX Runtime on the CPU: the embedded default backend, available wherever the JVM runs. */
public final class OrtBackend implements Backend {
    public static final String NAME = "ort-cpu";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(VariantFormat format) {
        return format == VariantFormat.ONNX;
    }

    @Override
    public Optional<String> unavailableReason() {
        try {
            OrtEnvironment.getEnvironment();
            return Optional.empty();
        } catch (Throwable t) { // native load failures surface as UnsatisfiedLinkError
            return Optional.of("ONNX Runtime could not load (" + t.getMessage()
                    + "); the com.microsoft.onnxruntime:onnxruntime jar must be on the class path for this OS/CPU");
        }
    }

    @Override
    public InferenceSession open(Path file, SessionOptions options) {
        if (!Files.isRegularFile(file)) {
            throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED, "model file " + file + " does not exist");
        }
        if (options.cudaGraphs()) {
            throw new IllegalArgumentException("CUDA graphs apply to TensorRT engines only; " + file.getFileName()
                    + " runs on ONNX Runtime (CPU)");
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = ortOptions(options)) {
            // Path-based loading lets ONNX Runtime resolve external data files next to the model.
            OrtSession session = env.createSession(file.toAbsolutePath().toString(), so);
            return new OrtInferenceSession(env, session, file.getFileName().toString(), file.toString());
        } catch (OrtException e) {
            throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED,
                    "ONNX Runtime cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a serialized model held in memory, for tools that run models they are still editing
     * (no temporary file; the model must not use external data files).
     *
     * @param name what the model is, for messages ("the INT8 candidate")
     */
    public InferenceSession open(byte[] model, String name, SessionOptions options) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = ortOptions(options)) {
            return new OrtInferenceSession(env, env.createSession(model, so), name, name);
        } catch (OrtException e) {
            throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED,
                    "ONNX Runtime cannot load " + name + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession.SessionOptions ortOptions(SessionOptions options) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            so.setOptimizationLevel(switch (options.optimization()) {
                case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            });
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }
}
