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

    /** Most bytes read from one device-description file. */
    int MAX_FILE_BYTES = 1 << 20;

    /** The plain {@link Files}-backed implementation; reads at most {@link #MAX_FILE_BYTES}. */
    FileAccess DEFAULT = new FileAccess() {
        @Override
        public byte[] readAllBytes(Path path) throws IOException {
            // Bounded: a sysfs or conf file linked to /dev/zero or a huge file must not exhaust the heap.
            try (java.io.InputStream in = Files.newInputStream(path)) {
                byte[] b = in.readNBytes(MAX_FILE_BYTES + 1);
                if (b.length > MAX_FILE_BYTES) {
                    throw new IOException(path + " is larger than " + MAX_FILE_BYTES
                            + " bytes; a sysfs, procfs or conf file never is (a link to a device or a wrong file?)");
                }
                return b;
            }
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
