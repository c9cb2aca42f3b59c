package io.jedge.sdk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A dense, row-major, immutable-shape tensor held on the Java heap.
 *
 * <p>The first dimension is the batch. Instances are safe to share between threads as long as no
 * one writes into the arrays returned by {@link #floats()} or {@link #longs()}; the SDK never does.
 *
 * <pre>{@code
 * Tensor pixels = Tensor.ofFloats(new long[] {1, 3, 224, 224}, data);
 * }</pre>
 */
public final class Tensor {
    private final DataType type;
    private final long[] shape;
    private final float[] floats;
    private final long[] longs;

    private Tensor(DataType type, long[] shape, float[] floats, long[] longs) {
        this.type = type;
        this.shape = shape.clone();
        this.floats = floats;
        this.longs = longs;
        long n = elementCount(this.shape);
        int have = floats != null ? floats.length : longs.length;
        if (n != have) {
            throw new IllegalArgumentException(
                    "tensor shape " + Arrays.toString(shape) + " holds " + n + " elements, but " + have + " were given");
        }
    }

    public static Tensor ofFloats(long[] shape, float[] data) {
        return new Tensor(DataType.FLOAT32, shape, data, null);
    }

    public static Tensor ofLongs(long[] shape, long[] data) {
        return new Tensor(DataType.INT64, shape, null, data);
    }

    public static Tensor zeros(long... shape) {
        return ofFloats(shape, new float[Math.toIntExact(elementCount(shape))]);
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public DataType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public int elementCount() {
        return floats != null ? floats.length : longs.length;
    }

    /** The backing array (not a copy) of a FLOAT32 tensor. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor is " + type + ", not FLOAT32");
        }
        return floats;
    }

    /** The backing array (not a copy) of an INT64 tensor. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor is " + type + ", not INT64");
        }
        return longs;
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of the batch dimension, copied. */
    public Tensor sliceBatch(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new IllegalArgumentException("batch slice [" + from + "," + to + ") outside shape " + Arrays.toString(shape));
        }
        int row = shape[0] == 0 ? 0 : elementCount() / (int) shape[0];
        long[] s = shape.clone();
        s[0] = to - from;
        if (floats != null) {
            return ofFloats(s, Arrays.copyOfRange(floats, from * row, to * row));
        }
        return ofLongs(s, Arrays.copyOfRange(longs, from * row, to * row));
    }

    /** Concatenates tensors of equal type and trailing shape along the batch dimension. */
    public static Tensor concatBatch(List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        Tensor first = parts.get(0);
        long batch = 0;
        int total = 0;
        for (Tensor t : parts) {
            if (t.type != first.type || t.rank() != first.rank()
                    || !Arrays.equals(t.shape, 1, t.rank(), first.shape, 1, first.rank())) {
                throw new IllegalArgumentException("cannot batch " + t + " with " + first + ": types and trailing shapes must match");
            }
            batch += t.shape[0];
            total += t.elementCount();
        }
        long[] s = first.shape.clone();
        s[0] = batch;
        int at = 0;
        if (first.type == DataType.FLOAT32) {
            float[] out = new float[total];
            for (Tensor t : parts) {
                System.arraycopy(t.floats, 0, out, at, t.floats.length);
                at += t.floats.length;
            }
            return ofFloats(s, out);
        }
        long[] out = new long[total];
        for (Tensor t : parts) {
            System.arraycopy(t.longs, 0, out, at, t.longs.length);
            at += t.longs.length;
        }
        return ofLongs(s, out);
    }

    /** Splits along the batch dimension into pieces of the given sizes. */
    public List<Tensor> splitBatch(int[] sizes) {
        List<Tensor> out = new ArrayList<>(sizes.length);
        int at = 0;
        for (int n : sizes) {
            out.add(sliceBatch(at, at + n));
            at += n;
        }
        if (at != shape[0]) {
            throw new IllegalArgumentException("split sizes " + Arrays.toString(sizes) + " do not add up to batch " + shape[0]);
        }
        return out;
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape);
    }
}
