package io.jedge.runtime.power;

import io.jedge.sdk.JedgeException;

/**
 * A power profile file is missing, not JSON, of an unknown schema version, or lacks a field. The
 * message names the file and the field.
 */
public class PowerProfileException extends JedgeException {
    private final String file;

    public PowerProfileException(String file, String message) {
        super(Code.INVALID_INPUT, file + ": " + message);
        this.file = file;
    }

    public PowerProfileException(String file, String message, Throwable cause) {
        super(Code.INVALID_INPUT, file + ": " + message, cause);
        this.file = file;
    }

    /** The file or classpath resource that failed. */
    public String file() {
        return file;
    }
}
