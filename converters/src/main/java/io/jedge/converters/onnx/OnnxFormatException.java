package io.jedge.converters.onnx;

import io.jedge.sdk.JedgeException;

/** An ONNX file cannot be read, written or understood; the message names the file and what is wrong. */
public class OnnxFormatException extends JedgeException {
    public OnnxFormatException(String message) {
        super(Code.INVALID_INPUT, message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(Code.INVALID_INPUT, message, cause);
    }
}
