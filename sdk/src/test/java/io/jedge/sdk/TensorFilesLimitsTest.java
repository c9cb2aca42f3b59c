package io.jedge.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Input files are sized before they are read: one clear line, never an OutOfMemoryError. */
class TensorFilesLimitsTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(10)
    void hugeF32AndNpyAreRefusedBeforeReading() throws Exception {
        for (String name : new String[] {"big.f32", "big.npy"}) {
            Path f = tmp.resolve(name);
            try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                r.setLength(3L << 30); // sparse 3 GiB
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                Tensor t = name.endsWith(".f32") ? TensorFiles.readF32(f, new long[] {4}) : TensorFiles.readNpy(f);
            });
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("-Xmx"), e.getMessage());
        }
    }

    @Test
    void missingInputNamesTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorFiles.readF32(tmp.resolve("nope.f32"), new long[] {4}));
        assertTrue(e.getMessage().contains("nope.f32") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void ordinaryF32StillReads() throws Exception {
        Path f = tmp.resolve("ok.f32");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        Files.write(f, b.array());
        assertArrayEquals(new float[] {1, 2, 3, 4}, TensorFiles.readF32(f, new long[] {2}).floats());
    }
}
