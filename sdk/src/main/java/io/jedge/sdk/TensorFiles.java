package io.jedge.sdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tensors in the files users have: NumPy {@code .npy} (version 1–3, C order, little-endian
 * float32/float64/int64/int32/uint8; floats become FP32, integers INT64) and raw little-endian
 * {@code .f32} batches, whose shape the caller gives. Writes are atomic: a temporary file beside
 * the target, renamed into place.
 */
public final class TensorFiles {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private TensorFiles() {
    }

    /** Reads a {@code .npy} file, or a {@code .f32} file shaped as {@code [-1, sample...]}. */
    public static Tensor read(Path file, long[] sampleShape) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npy")) {
            return readNpy(file);
        }
        if (name.endsWith(".f32")) {
            return readF32(file, sampleShape);
        }
        throw new IllegalArgumentException(file + ": expected a .npy or .f32 file");
    }

    /** A raw little-endian float32 file holding whole samples of {@code sampleShape}. */
    public static Tensor readF32(Path file, long[] sampleShape) {
        byte[] bytes = readAll(file);
        long per = 1;
        for (long d : sampleShape) {
            if (d <= 0) {
                throw new IllegalArgumentException(file + ": the model's sample shape " + java.util.Arrays.toString(sampleShape)
                        + " is not fixed, so a raw .f32 file cannot be split into samples; use .npy, which records its shape");
            }
            per *= d;
        }
        if (bytes.length % 4 != 0 || (bytes.length / 4) % per != 0 || bytes.length == 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: %d bytes is not a whole number of float32 samples of shape %s (%d bytes each)", file, bytes.length,
                    java.util.Arrays.toString(sampleShape), per * 4));
        }
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = bytes.length / 4 / per;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        float[] f = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return Tensor.ofFloats(shape, f);
    }

    /** Reads a NumPy {@code .npy} file. */
    public static Tensor readNpy(Path file) {
        byte[] bytes = readAll(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes.length < 10 || bytes[i] != MAGIC[i]) {
                throw new IllegalArgumentException(file + ": not a NumPy .npy file (bad magic)");
            }
        }
        int major = bytes[6];
        int headerLen;
        int offset;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(b.getShort(8));
            offset = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            offset = 12;
        } else {
            throw new IllegalArgumentException(file + ": .npy format version " + major + " is not supported (1 to 3 are)");
        }
        if (headerLen < 0 || offset + headerLen > bytes.length) {
            throw new IllegalArgumentException(file + ": truncated .npy header");
        }
        String header = new String(bytes, offset, headerLen, StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, file, "descr");
        if (group(ORDER, header, file, "fortran_order").equals("True")) {
            throw new IllegalArgumentException(file + ": Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
        }
        long[] shape = parseShape(group(SHAPE, header, file, "shape"), file);
        long count = Tensor.elementCount(shape);
        int width = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1", "<u1" -> 1;
            default -> throw new IllegalArgumentException(file + ": dtype '" + descr
                    + "' is not supported; save float32, float64, int64, int32 or uint8 (little-endian)");
        };
        int data = offset + headerLen;
        if ((long) bytes.length - data != count * width) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: shape %s of %s needs %d bytes of data, the file has %d",
                    file, java.util.Arrays.toString(shape), descr, count * width, bytes.length - data));
        }
        b.position(data);
        int n = (int) count;
        switch (descr) {
            case "<f4" -> {
                float[] f = new float[n];
                b.asFloatBuffer().get(f);
                return Tensor.ofFloats(shape, f);
            }
            case "<f8" -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) b.getDouble(data + 8 * i);
                }
                return Tensor.ofFloats(shape, f);
            }
            case "<i8" -> {
                long[] l = new long[n];
                b.asLongBuffer().get(l);
                return Tensor.ofLongs(shape, l);
            }
            case "<i4" -> {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = b.getInt(data + 4 * i);
                }
                return Tensor.ofLongs(shape, l);
            }
            default -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = Byte.toUnsignedInt(bytes[data + i]);
                }
                return Tensor.ofFloats(shape, f);
            }
        }
    }

    /** Writes {@code t} as {@code .npy} or raw {@code .f32}/{@code .i64}, chosen by the file's extension. */
    public static void write(Tensor t, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        byte[] payload;
        if (name.endsWith(".npy")) {
            payload = npyBytes(t);
        } else if (name.endsWith(".f32") && t.type() == DataType.FLOAT32) {
            payload = rawFloats(t.floats());
        } else {
            throw new IllegalArgumentException(file + ": expected a .npy file, or .f32 for a float tensor");
        }
        try {
            AtomicFiles.write(file, payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + file + " (" + e.getMessage() + ")", e);
        }
    }

    static byte[] npyBytes(Tensor t) {
        StringBuilder shape = new StringBuilder("(");
        for (long d : t.shape()) {
            shape.append(d).append(", ");
        }
        if (t.rank() > 1) {
            shape.setLength(shape.length() - 1);
        }
        shape.append(')');
        boolean floats = t.type() == DataType.FLOAT32;
        String header = "{'descr': '" + (floats ? "<f4" : "<i8") + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        byte[] data = floats ? rawFloats(t.floats()) : rawLongs(t.longs());
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    private static byte[] rawFloats(float[] f) {
        ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(f);
        return b.array();
    }

    private static byte[] rawLongs(long[] l) {
        ByteBuffer b = ByteBuffer.allocate(l.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(l);
        return b.array();
    }

    private static long[] parseShape(String s, Path file) {
        List<Long> dims = new ArrayList<>();
        for (String p : s.split(",")) {
            String t = p.strip();
            if (!t.isEmpty()) {
                try {
                    dims.add(Long.parseLong(t));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + ": bad .npy shape (" + s + ")");
                }
            }
        }
        long[] out = dims.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : out) {
            if (d < 0 || (d > 0 && count > Integer.MAX_VALUE / d)) {
                throw new IllegalArgumentException(file + ": .npy shape (" + s + ") is negative or too large for one tensor");
            }
            count *= d;
        }
        return out;
    }

    private static String group(Pattern p, String header, Path file, String what) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(file + ": .npy header has no '" + what + "' (" + header.strip() + ")");
        }
        return m.group(1);
    }

    /** Largest tensor file read: one Java array, and at most a quarter of the heap so decoding fits too. */
    static long maxTensorBytes() {
        return Math.min(Integer.MAX_VALUE - 8L, Runtime.getRuntime().maxMemory() / 4);
    }

    private static byte[] readAll(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("input file " + file + " does not exist or is not a regular file");
            }
            long size = Files.size(file);
            long max = maxTensorBytes();
            if (size > max) {
                throw new IllegalArgumentException("input file " + file + " is " + size + " bytes, more than the "
                        + max + " this JVM can read as one tensor (a quarter of -Xmx); split the batch or raise -Xmx");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + " (" + e.getMessage() + ")", e);
        }
    }
}
