package io.jedge.converters;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The shared torch-export fixtures ({@code ../shared/fixtures/torch-exports}). Tests that use them
 * are skipped, with the reason, where the shared folder is absent (a user's clone).
 */
public final class Fixtures {
    public static final List<String> TORCH_EXPORTS = List.of("vit224_legacy_op17", "vit224_dynamo_op23", "swin224_dynamo_op18");

    private Fixtures() {
    }

    /** The shared folder, or empty when it is not there. */
    public static java.util.Optional<Path> sharedDir() {
        String prop = System.getProperty("jedge.shared");
        if (prop != null && Files.isDirectory(Path.of(prop, "fixtures"))) {
            return java.util.Optional.of(Path.of(prop).toAbsolutePath().normalize());
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/fixtures"))) {
                return java.util.Optional.of(p.resolve("shared"));
            }
        }
        return java.util.Optional.empty();
    }

    /** A fixture folder; skips the calling test when the shared fixtures are absent. */
    public static Path torchExport(String name) {
        java.util.Optional<Path> shared = sharedDir();
        assumeTrue(shared.isPresent(), "shared fixtures (../shared/fixtures) are not present in this checkout");
        Path dir = shared.get().resolve("fixtures/torch-exports").resolve(name);
        assumeTrue(Files.isDirectory(dir), "fixture " + dir + " is not present");
        return dir;
    }

    public static float[] readF32(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    public static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
