package io.jedge.runtime.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file operations device and power code performs. The default goes straight to
 * {@link java.nio.file.Files}; tests substitute one that fails on chosen paths, which is how
 * permission errors are simulated when the tests run as root.
 */
public interface FileAccess {

    /** Reads the whole file; throws {@link java.nio.file.NoSuchFileException} if absent. */
    byte[] readAllBytes(Path path) throws IOException;

    /** The entries of a directory, in no particular order. */
    List<Path> list(Path directory) throws IOException;

    /** Whether the path exists (following links). */
    boolean exists(Path path);

    /** The plain {@link Files}-backed implementation. */
    FileAccess DEFAULT = new FileAccess() {
        @Override
        public byte[] readAllBytes(Path path) throws IOException {
            return Files.readAllBytes(path);
        }

        @Override
        public List<Path> list(Path directory) throws IOException {
            try (Stream<Path> s = Files.list(directory)) {
                return new ArrayList<>(s.toList());
            }
        }

        @Override
        public boolean exists(Path path) {
            return Files.exists(path);
        }
    };
}
