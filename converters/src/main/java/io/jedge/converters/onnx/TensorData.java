package io.jedge.converters.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Conversions between ONNX {@code TensorProto}s (inline or external data) and Java arrays. */
public final class TensorData {
    public static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    public static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;
    public static final int INT64 = TensorProto.DataType.INT64_VALUE;
    public static final int INT32 = TensorProto.DataType.INT32_VALUE;
    public static final int INT8 = TensorProto.DataType.INT8_VALUE;
    public static final int UINT8 = TensorProto.DataType.UINT8_VALUE;
    public static final int BOOL = TensorProto.DataType.BOOL_VALUE;

    private TensorData() {
    }

    public static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    public static long elementCount(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    /** Bytes per element of an ONNX data type (0 for strings and unknown types). */
    public static int elementSize(int dataType) {
        return switch (dataType) {
            case TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.INT32_VALUE, TensorProto.DataType.UINT32_VALUE -> 4;
            case TensorProto.DataType.DOUBLE_VALUE, TensorProto.DataType.INT64_VALUE, TensorProto.DataType.UINT64_VALUE -> 8;
            case TensorProto.DataType.FLOAT16_VALUE, TensorProto.DataType.BFLOAT16_VALUE, TensorProto.DataType.INT16_VALUE,
                    TensorProto.DataType.UINT16_VALUE -> 2;
            case TensorProto.DataType.INT8_VALUE, TensorProto.DataType.UINT8_VALUE, TensorProto.DataType.BOOL_VALUE -> 1;
            default -> 0;
        };
    }

    public static String typeName(int dataType) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(dataType);
        return t == null ? "type" + dataType : switch (t) {
            case FLOAT -> "float32";
            case FLOAT16 -> "float16";
            case DOUBLE -> "float64";
            case BFLOAT16 -> "bfloat16";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /**
     * The ONNX data type number of a type name as {@link #typeName} or a runtime's
     * {@code TensorSpec} writes it ("float32", "int64", "double"); 0 when unknown.
     */
    public static int typeNumber(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return switch (n) {
            case "float32" -> FLOAT;
            case "float64", "double" -> TensorProto.DataType.DOUBLE_VALUE;
            default -> {
                try {
                    yield TensorProto.DataType.valueOf(n.toUpperCase(java.util.Locale.ROOT)).getNumber();
                } catch (IllegalArgumentException e) {
                    yield 0;
                }
            }
        };
    }

    public static boolean isExternal(TensorProto t) {
        return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    /** The tensor's raw little-endian bytes, whatever field or external file holds them. */
    public static ByteBuffer rawBytes(TensorProto t, Path baseDir) {
        if (isExternal(t)) {
            return readExternal(t, baseDir);
        }
        if (!t.getRawData().isEmpty() || elementCount(t) == 0) {
            return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        int n = Math.toIntExact(elementCount(t));
        int size = elementSize(t.getDataType());
        ByteBuffer b = ByteBuffer.allocate(n * size).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE -> t.getFloatDataList().forEach(b::putFloat);
            case TensorProto.DataType.DOUBLE_VALUE -> t.getDoubleDataList().forEach(b::putDouble);
            case TensorProto.DataType.INT64_VALUE -> t.getInt64DataList().forEach(b::putLong);
            case TensorProto.DataType.UINT64_VALUE -> t.getUint64DataList().forEach(b::putLong);
            case TensorProto.DataType.INT32_VALUE -> t.getInt32DataList().forEach(b::putInt);
            case TensorProto.DataType.FLOAT16_VALUE, TensorProto.DataType.BFLOAT16_VALUE, TensorProto.DataType.INT16_VALUE,
                    TensorProto.DataType.UINT16_VALUE -> t.getInt32DataList().forEach(v -> b.putShort((short) (int) v));
            case TensorProto.DataType.INT8_VALUE, TensorProto.DataType.UINT8_VALUE, TensorProto.DataType.BOOL_VALUE ->
                    t.getInt32DataList().forEach(v -> b.put((byte) (int) v));
            default -> throw new OnnxFormatException("tensor '" + t.getName() + "' has data type "
                    + typeName(t.getDataType()) + ", which jedge cannot read");
        }
        if (b.position() != b.capacity()) {
            throw new OnnxFormatException("tensor '" + t.getName() + "' holds " + b.position() / Math.max(size, 1)
                    + " values, its dims " + t.getDimsList() + " need " + n);
        }
        return b.flip();
    }

    private static ByteBuffer readExternal(TensorProto t, Path baseDir) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = Long.parseLong(e.getValue());
                case "length" -> length = Long.parseLong(e.getValue());
                default -> { }
            }
        }
        if (location == null) {
            throw new OnnxFormatException("tensor '" + t.getName() + "' is external but names no location");
        }
        if (baseDir == null) {
            throw new OnnxFormatException("tensor '" + t.getName() + "' is stored in external file '" + location
                    + "', but the model was not loaded from a file; load it with OnnxModel.load(path)");
        }
        Path p = baseDir.resolve(location).normalize();
        if (!p.startsWith(baseDir.normalize())) {
            throw new OnnxFormatException("tensor '" + t.getName() + "': external location '" + location + "' points outside the model's folder");
        }
        long expected = elementCount(t) * elementSize(t.getDataType());
        if (length < 0) {
            length = expected;
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            if (offset + length > f.length()) {
                throw new OnnxFormatException("tensor '" + t.getName() + "': external file " + p + " has " + f.length()
                        + " bytes, the tensor needs bytes " + offset + ".." + (offset + length));
            }
            byte[] bytes = new byte[Math.toIntExact(length)];
            f.seek(offset);
            f.readFully(bytes);
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new OnnxFormatException("tensor '" + t.getName() + "': cannot read external data " + p + " (" + e.getMessage() + ")", e);
        }
    }

    /** Values as float32 (from float, float16, bfloat16, double or integer tensors). */
    public static float[] floats(TensorProto t, Path baseDir) {
        ByteBuffer b = rawBytes(t, baseDir);
        int n = Math.toIntExact(elementCount(t));
        float[] out = new float[n];
        switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE -> b.asFloatBuffer().get(out);
            case TensorProto.DataType.FLOAT16_VALUE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = io.jedge.runtime.backend.Float16.toFloat(b.getShort(i * 2));
                }
            }
            case TensorProto.DataType.BFLOAT16_VALUE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                }
            }
            case TensorProto.DataType.DOUBLE_VALUE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            default -> {
                long[] l = longs(t, baseDir);
                for (int i = 0; i < n; i++) {
                    out[i] = l[i];
                }
            }
        }
        return out;
    }

    /** Values as int64 (from any integer or bool tensor). */
    public static long[] longs(TensorProto t, Path baseDir) {
        ByteBuffer b = rawBytes(t, baseDir);
        int n = Math.toIntExact(elementCount(t));
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.getDataType()) {
                case TensorProto.DataType.INT64_VALUE, TensorProto.DataType.UINT64_VALUE -> b.getLong(i * 8);
                case TensorProto.DataType.INT32_VALUE -> b.getInt(i * 4);
                case TensorProto.DataType.UINT32_VALUE -> b.getInt(i * 4) & 0xffffffffL;
                case TensorProto.DataType.INT16_VALUE -> b.getShort(i * 2);
                case TensorProto.DataType.UINT16_VALUE -> b.getShort(i * 2) & 0xffff;
                case TensorProto.DataType.INT8_VALUE -> b.get(i);
                case TensorProto.DataType.UINT8_VALUE, TensorProto.DataType.BOOL_VALUE -> b.get(i) & 0xff;
                default -> throw new OnnxFormatException("tensor '" + t.getName() + "' of type " + typeName(t.getDataType())
                        + " is not an integer tensor");
            };
        }
        return out;
    }

    public static TensorProto ofFloats(String name, long[] dims, float[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return build(name, FLOAT, dims, b, data.length);
    }

    public static TensorProto ofFloat16(String name, long[] dims, float[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            b.putShort(io.jedge.runtime.backend.Float16.fromFloat(f));
        }
        b.flip();
        return build(name, FLOAT16, dims, b, data.length);
    }

    public static TensorProto ofLongs(String name, long[] dims, long[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        return build(name, INT64, dims, b, data.length);
    }

    /** An int8 (or uint8 when {@code unsigned}) tensor from values already in range. */
    public static TensorProto ofBytes(String name, long[] dims, byte[] data, boolean unsigned) {
        return build(name, unsigned ? UINT8 : INT8, dims, ByteBuffer.wrap(data), data.length);
    }

    public static TensorProto scalar(String name, float v) {
        return ofFloats(name, new long[0], new float[] {v});
    }

    private static TensorProto build(String name, int type, long[] dims, ByteBuffer bytes, int n) {
        long expect = 1;
        for (long d : dims) {
            expect *= d;
        }
        if (expect != n) {
            throw new IllegalArgumentException("tensor '" + name + "': dims " + java.util.Arrays.toString(dims)
                    + " need " + expect + " values, got " + n);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(bytes.rewind()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** Copy of {@code t} with its data inline, wherever it was stored. */
    public static TensorProto inline(TensorProto t, Path baseDir) {
        if (!isExternal(t)) {
            return t;
        }
        ByteBuffer b = rawBytes(t, baseDir);
        return t.toBuilder().clearExternalData().clearDataLocation().setRawData(ByteString.copyFrom(b)).build();
    }
}
