package io.jedge.runtime.device;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Locates the fake device trees and builds environments over them. */
public final class FakeRoots {
    public static final Path DIR = Path.of("src/test/resources/fake-roots");

    private FakeRoots() {
    }

    public static Path path(String name) {
        Path p = DIR.resolve(name);
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("fake root " + p.toAbsolutePath() + " missing");
        }
        return p;
    }

    public static HostAccess env(String name) {
        return HostAccess.ofRoot(path(name));
    }

    /** Copies a fake tree into {@code target} so a test can change it. */
    public static Path copy(String name, Path target) throws IOException {
        Path src = path(name);
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Path dst = target.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        }
        return target;
    }

    /** File access that reports "permission denied" for the given device paths. */
    public static FileAccess denying(Path root, Set<String> devicePaths) {
        return new FileAccess() {
            private boolean denied(Path p) {
                return devicePaths.stream().anyMatch(d -> root.resolve(d.substring(1)).equals(p));
            }

            @Override
            public byte[] readAllBytes(Path path) throws IOException {
                if (denied(path)) {
                    throw new AccessDeniedException(path.toString());
                }
                return FileAccess.DEFAULT.readAllBytes(path);
            }

            @Override
            public List<Path> list(Path directory) throws IOException {
                if (denied(directory)) {
                    throw new AccessDeniedException(directory.toString());
                }
                return FileAccess.DEFAULT.list(directory);
            }

            @Override
            public boolean exists(Path path) {
                return FileAccess.DEFAULT.exists(path);
            }
        };
    }
}
