package io.jedge.runtime.backend;

import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * The one rule for feeding a model tensors of another element type, and the conversions that carry it out, shared by
 * every backend: a float16 input takes float32 tensors and an int32 input int64 ones (heap or direct), converted on the
 * calling thread into the backend's staging memory (TensorRT: a context's pinned or mapped buffer; ONNX Runtime: its
 * session's direct staging pool); float16 outputs come back from {@code run} as float32 tensors and int32 ones as int64.
 * Values go straight between the tensor's memory (its array or its direct buffer) and the staging buffer: no
 * intermediate arrays, so a call allocates nothing but the heap outputs it returns.
 *
 * <p>Buffers given here are native-order views of the staging memory at position 0.
 */
public final class Staging {
    /** What one direct buffer can address; a staging view is capped there. */
    public static final long MAX_VIEW_BYTES = Integer.MAX_VALUE;

    private Staging() {
    }

    /**
     * Whether an input of the model's {@code modelType} takes {@code given}: a tensor of that type is passed as it is,
     * a float32 one for a float16 input and an int64 one for an int32 input are converted ({@link #write}).
     */
    public static boolean accepts(DataType modelType, Tensor given) {
        return given.type() == modelType || given.type() == convertedFrom(modelType);
    }

    /** The SDK type converted into {@code modelType} (float32 for float16, int64 for int32); {@code modelType} where none is. */
    public static DataType convertedFrom(DataType modelType) {
        return switch (modelType) {
            case FLOAT16 -> DataType.FLOAT32;
            case INT32 -> DataType.INT64;
            default -> modelType;
        };
    }

    /** What {@code modelType} inputs take, for messages: "float16 inputs take float16 tensors or float32 ones, converted". */
    public static String acceptedText(DataType modelType) {
        DataType from = convertedFrom(modelType);
        return modelType.specName() + " inputs take " + modelType.specName() + " tensors"
                + (from == modelType ? "" : " or " + from.specName() + " ones, converted");
    }

    /** A tensor for messages: {@code float32[1,3,8,8]}, with " (direct)" for direct memory. */
    public static String describe(Tensor t) {
        return t.type().specName() + java.util.Arrays.toString(t.shape()).replace(" ", "") + (t.isDirect() ? " (direct)" : "");
    }

    /**
     * Writes {@code t} (one that {@link #accepts} {@code type}) into {@code dst} as {@code type}.
     *
     * @throws IllegalArgumentException an int64 value outside int32 for an int32 input (naming the input,
     *     the element and the value), or a tensor larger than {@code dst}
     */
    public static void write(String input, DataType type, Tensor t, ByteBuffer dst) {
        write("input", input, type, t, dst);
    }

    /** {@link #write} for a caller's output buffer ({@code runInto}): its errors name the output. */
    public static void writeOutput(String output, DataType type, Tensor t, ByteBuffer dst) {
        write("output", output, type, t, dst);
    }

    private static void write(String what, String input, DataType type, Tensor t, ByteBuffer dst) {
        int n = t.elementCount();
        checkRoom(what, input, type, n, dst);
        if (t.type() == type) {
            t.copyInto(dst.duplicate());
            return;
        }
        switch (type) {
            case FLOAT16 -> {
                if (t.isDirect()) {
                    toFloat16(t.buffer().asFloatBuffer(), dst.asShortBuffer(), n);
                } else {
                    toFloat16(t.floats(), dst.asShortBuffer(), n);
                }
            }
            case INT32 -> {
                if (t.isDirect()) {
                    toInt32(what, input, t.buffer().asLongBuffer(), dst.asIntBuffer(), n);
                } else {
                    toInt32(what, input, t.longs(), dst.asIntBuffer(), n);
                }
            }
            default -> throw new IllegalArgumentException(what + " '" + input + "': " + t + " cannot be converted to "
                    + type.specName());
        }
    }

    /** A heap tensor of {@code shape} read from {@code src}: float32 for float32 and float16 outputs, int64 for the integer ones. */
    public static Tensor read(String output, DataType type, long[] shape, ByteBuffer src) {
        int n = Math.toIntExact(Tensor.elementCount(shape));
        checkRoom("output", output, type, n, src);
        return switch (type) {
            case FLOAT32 -> {
                float[] a = new float[n];
                src.asFloatBuffer().get(a);
                yield Tensor.ofFloats(shape, a);
            }
            case FLOAT16 -> {
                float[] a = new float[n];
                ShortBuffer h = src.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    a[i] = Float16.toFloat(h.get(i));
                }
                yield Tensor.ofFloats(shape, a);
            }
            case INT32 -> {
                long[] a = new long[n];
                IntBuffer v = src.asIntBuffer();
                for (int i = 0; i < n; i++) {
                    a[i] = v.get(i);
                }
                yield Tensor.ofLongs(shape, a);
            }
            case INT64 -> {
                long[] a = new long[n];
                src.asLongBuffer().get(a);
                yield Tensor.ofLongs(shape, a);
            }
            case UINT8 -> throw new IllegalArgumentException("output '" + output
                    + "' is uint8, which has no heap form: use runInto with a direct tensor");
        };
    }

    // One loop per kind of source, so that each loop sees one buffer class. Absolute get/put on the views: a reused
    // scratch array with bulk moves was no faster from heap tensors and 14% faster from direct ones
    // (benchmarks/staging-cpu-2026-12-03.md); the conversion is the cost.
    private static void toFloat16(float[] src, ShortBuffer dst, int n) {
        for (int i = 0; i < n; i++) {
            dst.put(i, Float16.fromFloat(src[i]));
        }
    }

    private static void toFloat16(FloatBuffer src, ShortBuffer dst, int n) {
        for (int i = 0; i < n; i++) {
            dst.put(i, Float16.fromFloat(src.get(i)));
        }
    }

    private static void toInt32(String what, String input, long[] src, IntBuffer dst, int n) {
        for (int i = 0; i < n; i++) {
            dst.put(i, narrow(what, input, i, src[i]));
        }
    }

    private static void toInt32(String what, String input, LongBuffer src, IntBuffer dst, int n) {
        for (int i = 0; i < n; i++) {
            dst.put(i, narrow(what, input, i, src.get(i)));
        }
    }

    private static int narrow(String what, String input, int i, long v) {
        if (v != (int) v) {
            throw new IllegalArgumentException(what + " '" + input + "': element " + i + " is " + v
                    + ", outside the int32 range the model takes");
        }
        return (int) v;
    }

    private static void checkRoom(String what, String name, DataType type, int n, ByteBuffer buffer) {
        long bytes = (long) n * type.bytes();
        if (bytes > buffer.capacity()) {
            throw new IllegalArgumentException(what + " '" + name + "': " + n + " " + type.specName() + " elements take " + bytes
                    + " bytes, more than its " + buffer.capacity() + "-byte staging buffer"
                    + (buffer.capacity() == MAX_VIEW_BYTES ? " (one direct buffer addresses 2 GiB): run a smaller batch" : ""));
        }
    }
}
