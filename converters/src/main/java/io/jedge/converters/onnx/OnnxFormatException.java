package io.jedge.converters.onnx;

/** An ONNX file cannot be read, written or understood; the message names the file and what is wrong. */
public class OnnxFormatException extends RuntimeException {
    public OnnxFormatException(String message) {
        super(message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
