package io.jedge.sdk;

/**
 * A failure inside a backend or the runtime (not a caller mistake — those are
 * {@link IllegalArgumentException}s). The {@link #code()} says what kind, the message what to do.
 */
public class JedgeException extends RuntimeException {
    /** What went wrong, coarsely, for callers that branch on it. */
    public enum Code {
        /** The backend's native library is missing or cannot run here. */
        BACKEND_UNAVAILABLE,
        /** The model or engine file could not be loaded. */
        MODEL_LOAD_FAILED,
        /** A TensorRT engine was built for another GPU, TensorRT or CUDA version. */
        ENGINE_MISMATCH,
        /** Running the model failed. */
        RUN_FAILED,
        /** The runtime was closed or overloaded. */
        UNAVAILABLE
    }

    private final Code code;

    public JedgeException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public JedgeException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
