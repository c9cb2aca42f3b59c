package io.jedge.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files are complete or absent, take the umask's mode, and an unwritable destination is found before any work. */
class AtomicFilesTest {
    @TempDir
    Path tmp;

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedBodyLeavesTheOldFileAndNoTemporary() throws Exception {
        Path f = tmp.resolve("figures.json");
        AtomicFiles.writeString(f, "old");
        assertThrows(java.io.IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half".getBytes());
            throw new java.io.IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("figures.json"), names());
    }

    @Test
    void theModeFollowsTheUmaskLikeAnyNewFile() throws Exception {
        Path written = tmp.resolve("bundle.json");
        AtomicFiles.writeString(written, "{}");
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "x");
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(written);
        assertEquals(Files.getPosixFilePermissions(plain), mode);
        assertTrue(mode.contains(PosixFilePermission.OWNER_WRITE), PosixFilePermissions.toString(mode));
    }

    @Test
    void writableDestinationsPassAndLeaveNothing() throws Exception {
        AtomicFiles.requireWritable("--output out.png", tmp.resolve("new/sub/out.png"));
        AtomicFiles.requireWritable("--output out.png", Files.writeString(tmp.resolve("existing.png"), "x"));
        AtomicFiles.requireWritableDir("-o bundle", tmp.resolve("b"));
        assertEquals(List.of("existing.png"), names(), "no probe file and no folder created");
    }

    @Test
    void unwritableDestinationsAreOneLineNamingThem() throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AtomicFiles.requireWritable("--output " + file + "/out.png", file.resolve("out.png")));
        assertEquals("--output " + file + "/out.png: cannot be written (" + file + " is a file, not a folder)", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> AtomicFiles.requireWritable("--output " + tmp, tmp));
        assertEquals("--output " + tmp + ": is a folder, expected a file name", e.getMessage());

        // a place nobody may create files in, root included
        Path sys = Path.of("/sys/jedge-out.png");
        assumeTrue(Files.isDirectory(sys.getParent()) && !Files.exists(sys), "/sys is not here");
        e = assertThrows(IllegalArgumentException.class, () -> AtomicFiles.requireWritable("--output " + sys, sys));
        assertTrue(e.getMessage().startsWith("--output /sys/jedge-out.png: cannot be written (no file can be created in /sys"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
