package io.jedge.sdk.bundle;

import java.nio.file.Path;

/** A bundle could not be read or written; the message names the file, the field and the value. */
public class BundleException extends Exception {
    private final Path file;

    public BundleException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public BundleException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
