package io.jedge.sdk;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new content, never a
 * part: the bytes go to a hidden temporary file in the same directory, which is synced and then
 * renamed over the target. A crash leaves at most a {@code .NAME.*.tmp} file beside it. Every file
 * jedge writes goes through here.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Produces a file's bytes. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code file} from {@code body} atomically, creating its directory if needed. */
    public static void write(Path file, Body body) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        // created like any new file (the umask decides its mode), unlike createTempFile's 0600
        Path tmp = dir.resolve("." + abs.getFileName() + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ".tmp");
        boolean done = false;
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.writeTo(out);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true); // the rename must not become durable before the bytes do
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Checks now, before long work, that {@link #write} will be able to write {@code file}: it is
     * not a directory or read-only, and a file can be created in its directory (or in the nearest
     * existing folder above it, where {@link #write} would create the rest). The check creates and
     * removes a probe file, so read-only mounts, permissions and ACLs all count, for root too.
     *
     * @param subject how the message names the file, e.g. {@code "--output out.png"}
     * @throws IllegalArgumentException one line: the subject, then why it cannot be written
     */
    public static void requireWritable(String subject, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new IllegalArgumentException(subject + ": is a folder, expected a file name");
        }
        if (Files.exists(abs) && !Files.isWritable(abs)) {
            throw new IllegalArgumentException(subject + ": cannot be written (the file exists and is read-only)");
        }
        requireWritableDir(subject, abs.getParent());
    }

    /** As {@link #requireWritable} for a directory that jedge will create or write files into. */
    public static void requireWritableDir(String subject, Path dir) {
        Path existing = dir == null ? null : dir.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new IllegalArgumentException(subject + ": cannot be written ("
                    + (existing == null ? "no existing folder above it" : existing + " is a file, not a folder") + ")");
        }
        try {
            Files.delete(Files.createTempFile(existing, ".jedge-probe-", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException(subject + ": cannot be written (no file can be created in " + existing + ": "
                    + (e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage()) + ")", e);
        }
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
