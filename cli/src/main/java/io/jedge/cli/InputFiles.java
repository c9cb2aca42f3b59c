package io.jedge.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Input files named on the command line, checked before a bundle is hashed or a model loaded. */
final class InputFiles {
    private InputFiles() {
    }

    /**
     * @param subject how the message names the file, e.g. {@code "--input x.f32"}
     * @param expected what the file should be, e.g. {@code ".npy, .f32 or an image"}
     * @throws IllegalArgumentException (exit 2) naming the file when it is absent, a folder or unreadable
     */
    static void require(String subject, Path file, String expected) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(subject + ": is a folder, expected a file (" + expected + ")");
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(subject + ": no such file (" + expected + ")");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(subject + ": cannot be read (permission denied)");
        }
    }
}
