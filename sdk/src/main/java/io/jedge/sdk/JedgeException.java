package io.jedge.sdk;

/**
 * The one jedge error family: a failure inside a backend or the runtime, or a bad input file. Caller
 * mistakes in arguments stay {@link IllegalArgumentException}s. The {@link #code()} says what kind
 * (and gives the CLI its exit status), the message what to do.
 */
public class JedgeException extends RuntimeException {
    /** What went wrong, coarsely, for callers that branch on it. */
    public enum Code {
        /** A file or value supplied by the user is malformed (ONNX model, power profile...): fix the input. */
        INVALID_INPUT,
        /** A converted variant stays below the accuracy target the user set: change the options. */
        ACCURACY_TARGET_MISSED,
        /** The backend's native library is missing or cannot run here. */
        BACKEND_UNAVAILABLE,
        /** No variant of a bundle is admissible on this device under the request's constraints. */
        NO_SUITABLE_VARIANT,
        /** Building a TensorRT engine failed (configuring or building; a parse failure is MODEL_LOAD_FAILED). */
        ENGINE_BUILD_FAILED,
        /** The model or engine file could not be loaded. */
        MODEL_LOAD_FAILED,
        /** A TensorRT engine was built for another GPU, TensorRT or CUDA version. */
        ENGINE_MISMATCH,
        /** Running the model failed. */
        RUN_FAILED,
        /** The runtime was closed or overloaded. */
        UNAVAILABLE;

        /** The process exit status the CLI uses for this code: 2 for what the user can fix in the input or options, 1 otherwise. */
        public int exitCode() {
            return this == INVALID_INPUT || this == ACCURACY_TARGET_MISSED ? 2 : 1;
        }
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
