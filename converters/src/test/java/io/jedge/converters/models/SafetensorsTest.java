package io.jedge.converters.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    private static final long FAR = (1L << 31) + 4096; // past 2 GiB, where one ByteBuffer cannot reach

    @Test
    void readsTensorsPlacedPastTwoGibInASparseFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big.safetensors");
        float[] near = {1.5f, -2f, 3.25f};
        float[] far = {0.125f, 42f, -7.5f, 1e-3f};
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"near\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"far\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + FAR + "," + (FAR + 16) + "]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + header.length;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(dataStart + FAR + 16);
            f.write(le(8).putLong(header.length).array());
            f.write(header);
            f.seek(dataStart);
            f.write(floats(near));
            f.seek(dataStart + FAR);
            f.write(floats(far));
        } catch (IOException e) {
            Assumptions.abort("the temp filesystem refused a sparse " + (FAR >> 20) + " MiB file: " + e.getMessage());
        }
        Assumptions.assumeTrue(Files.size(file) > Integer.MAX_VALUE, "the file did not grow past 2 GiB");

        Safetensors s = Safetensors.open(file);

        assertEquals(java.util.Set.of("near", "far"), s.names());
        assertArrayEquals(near, s.get("near", 3));
        assertArrayEquals(far, s.get("far", 2, 2));
        assertArrayEquals(new long[] {2, 2}, s.shape("far"));
    }

    @Test
    void refusesATensorLyingPastTheEndOfTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("short.safetensors");
        Safetensors.write(file, Map.of("w", new float[] {1, 2}), Map.of("w", new long[] {2}));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 4)); // truncate the data

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.open(file));

        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("outside"), e.getMessage());
    }

    @Test
    void roundTripsWhatItWrites(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("w.safetensors");
        float[] a = {1, 2, 3, 4, 5, 6};
        Safetensors.write(file, Map.of("a", a, "b", new float[] {9}), Map.of("a", new long[] {2, 3}, "b", new long[] {1}));

        Safetensors s = Safetensors.open(file);

        assertArrayEquals(a, s.get("a", 2, 3));
        assertArrayEquals(new float[] {9}, s.get("b"));
        assertThrows(IllegalArgumentException.class, () -> s.get("a", 3, 2));
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] floats(float[] v) {
        ByteBuffer b = le(v.length * 4);
        b.asFloatBuffer().put(v);
        return b.array();
    }
}
