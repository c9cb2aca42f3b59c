package io.jedge.sdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A dense, row-major tensor with an immutable shape, held either on the Java heap ({@code float[]} or
 * {@code long[]}, the convenience form) or in direct memory (a direct {@link ByteBuffer} in native
 * byte order, any {@link DataType}).
 *
 * <p>Direct tensors are what the backends read and write without copying: ONNX Runtime wraps the
 * buffer as it is, and TensorRT binds pinned or mapped memory from its pool. {@link #viewBatch} and
 * {@link #reshape} return views that share the memory and never copy; writes through one are seen
 * by all. The memory belongs to whoever allocated the buffer (the app, or a backend's pool, which
 * documents how long it stays valid).
 *
 * <p>Instances are safe to share between threads as long as no one writes into the arrays or
 * buffers while others read them; the SDK never writes into an input.
 *
 * <pre>{@code
 * Tensor pixels = Tensor.ofFloats(new long[] {1, 3, 224, 224}, data);          // heap
 * Tensor direct = Tensor.allocateDirect(DataType.FLOAT16, 16, 3, 224, 224);  // direct, zero-filled
 * direct.buffer().asShortBuffer().put(halfBits);
 * }</pre>
 */
public final class Tensor {
    private final DataType type;
    private final long[] shape;
    private final float[] floats;
    private final long[] longs;
    private final ByteBuffer base; // direct tensors: the buffer as the owner gave it (kept for identity)
    private final int offset;      // direct tensors: first byte within base

    private Tensor(DataType type, long[] shape, float[] floats, long[] longs, ByteBuffer base, int offset) {
        this.type = type;
        this.shape = shape.clone();
        this.floats = floats;
        this.longs = longs;
        this.base = base;
        this.offset = offset;
        long n = elementCount(this.shape);
        long have = floats != null ? floats.length : longs != null ? longs.length : -1;
        if (have >= 0 && n != have) {
            throw new IllegalArgumentException(
                    "tensor shape " + Arrays.toString(shape) + " holds " + n + " elements, but " + have + " were given");
        }
    }

    public static Tensor ofFloats(long[] shape, float[] data) {
        return new Tensor(DataType.FLOAT32, shape, data, null, null, 0);
    }

    public static Tensor ofLongs(long[] shape, long[] data) {
        return new Tensor(DataType.INT64, shape, null, data, null, 0);
    }

    public static Tensor zeros(long... shape) {
        return ofFloats(shape, new float[Math.toIntExact(elementCount(shape))]);
    }

    /**
     * Wraps the bytes from {@code buffer}'s position to its limit, without copying. The buffer must be
     * direct and in native byte order, and hold exactly {@code elementCount(shape) * type.bytes()}
     * bytes; the caller keeps owning it.
     */
    public static Tensor wrap(DataType type, long[] shape, ByteBuffer buffer) {
        if (type == null || shape == null || buffer == null) {
            throw new IllegalArgumentException("type, shape and buffer must not be null");
        }
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("tensor buffer is a heap buffer; wrap a direct one (ByteBuffer.allocateDirect) "
                    + "or use Tensor.ofFloats/ofLongs");
        }
        if (buffer.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("tensor buffer is " + buffer.order() + "; expected native order "
                    + ByteOrder.nativeOrder() + " (call buffer.order(ByteOrder.nativeOrder()) before writing)");
        }
        long need = Math.multiplyExact(elementCount(shape), type.bytes());
        if (buffer.remaining() != need) {
            throw new IllegalArgumentException(type + Arrays.toString(shape) + " needs " + need + " bytes, but the buffer has "
                    + buffer.remaining() + " remaining");
        }
        return new Tensor(type, shape, null, null, buffer, buffer.position());
    }

    /** A zero-filled tensor in newly allocated direct memory (owned by the garbage collector). */
    public static Tensor allocateDirect(DataType type, long... shape) {
        long bytes = Math.multiplyExact(elementCount(shape), type.bytes());
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(type + Arrays.toString(shape) + " needs " + bytes
                    + " bytes, more than one direct buffer holds (2 GiB)");
        }
        return wrap(type, shape, ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()));
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
        return Math.toIntExact(elementCount(shape));
    }

    /** Bytes the elements take. */
    public long byteSize() {
        return (long) elementCount() * type.bytes();
    }

    /** True when the tensor lives in a direct buffer rather than a Java array. */
    public boolean isDirect() {
        return base != null;
    }

    /** The backing array (not a copy) of a heap FLOAT32 tensor. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor " + this + " has no float[]: "
                    + (isDirect() ? "it is in direct memory; use buffer() or toFloatArray()" : "it is " + type));
        }
        return floats;
    }

    /** The backing array (not a copy) of a heap INT64 tensor. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor " + this + " has no long[]: "
                    + (isDirect() ? "it is in direct memory; use buffer()" : "it is " + type));
        }
        return longs;
    }

    /** The values of a FLOAT32 tensor, copied into a new array (heap or direct). */
    public float[] toFloatArray() {
        if (type != DataType.FLOAT32) {
            throw new IllegalStateException("tensor " + this + " is not FLOAT32");
        }
        if (floats != null) {
            return floats.clone();
        }
        float[] out = new float[elementCount()];
        buffer().asFloatBuffer().get(out);
        return out;
    }

    /**
     * The memory of a direct tensor: a new native-order buffer object over exactly this tensor's bytes
     * (position 0), sharing them. Writes through it change the tensor.
     */
    public ByteBuffer buffer() {
        requireDirect("buffer()");
        ByteBuffer b = base.duplicate();
        b.limit(offset + (int) byteSize()).position(offset);
        return b.slice().order(ByteOrder.nativeOrder());
    }

    /** Where a direct tensor's bytes are: the buffer its owner gave, and the byte range within it. */
    public record Region(ByteBuffer base, int offset, int bytes) {
    }

    /** The region of a direct tensor; backends use {@link Region#base()}'s identity to find their pooled memory. */
    public Region region() {
        requireDirect("region()");
        return new Region(base, offset, (int) byteSize());
    }

    /** The same elements with another shape of equal element count; a view, never a copy. */
    public Tensor reshape(long... newShape) {
        if (elementCount(newShape) != elementCount(shape)) {
            throw new IllegalArgumentException("cannot reshape " + this + " to " + Arrays.toString(newShape)
                    + ": element counts differ");
        }
        return new Tensor(type, newShape, floats, longs, base, offset);
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of a direct tensor's batch; a view, never a copy. */
    public Tensor viewBatch(int from, int to) {
        if (!isDirect()) {
            throw new IllegalStateException("viewBatch needs a direct tensor; " + this
                    + " is on the heap (sliceBatch copies, or Tensor.allocateDirect for views)");
        }
        checkSlice(from, to);
        long[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(type, s, null, null, base, offset + Math.toIntExact(from * rowBytes()));
    }

    private long rowBytes() {
        return shape[0] == 0 ? 0 : byteSize() / shape[0];
    }

    private void checkSlice(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new IllegalArgumentException("batch slice [" + from + "," + to + ") outside shape " + Arrays.toString(shape));
        }
    }

    private void requireDirect(String what) {
        if (!isDirect()) {
            throw new IllegalStateException(what + " needs a direct tensor; " + this + " is on the heap");
        }
    }

    /** A copy of this tensor in new direct memory (heap FLOAT32/INT64 keep their type). */
    public Tensor toDirect() {
        Tensor out = allocateDirect(type, shape);
        copyInto(out.buffer());
        return out;
    }

    /** Copies the elements, in native order, into {@code dst} from its position (which advances). */
    public void copyInto(ByteBuffer dst) {
        if (dst.remaining() < byteSize()) {
            throw new IllegalArgumentException("destination has " + dst.remaining() + " bytes left; " + this + " needs "
                    + byteSize());
        }
        ByteBuffer d = dst.duplicate().order(ByteOrder.nativeOrder());
        if (floats != null) {
            d.asFloatBuffer().put(floats);
        } else if (longs != null) {
            d.asLongBuffer().put(longs);
        } else {
            d.put(buffer());
        }
        dst.position(dst.position() + (int) byteSize());
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of the batch dimension, copied (direct stays direct). */
    public Tensor sliceBatch(int from, int to) {
        checkSlice(from, to);
        if (isDirect()) {
            return viewBatch(from, to).toDirect();
        }
        int row = shape[0] == 0 ? 0 : elementCount() / (int) shape[0];
        long[] s = shape.clone();
        s[0] = to - from;
        if (floats != null) {
            return ofFloats(s, Arrays.copyOfRange(floats, from * row, to * row));
        }
        return ofLongs(s, Arrays.copyOfRange(longs, from * row, to * row));
    }

    /**
     * Concatenates tensors of equal type and trailing shape along the batch dimension, copying once.
     * All on the heap gives a heap tensor; any direct part gives a direct one.
     */
    public static Tensor concatBatch(List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        Tensor first = parts.get(0);
        long batch = 0;
        int total = 0;
        boolean anyDirect = false;
        for (Tensor t : parts) {
            if (t.type != first.type || t.rank() != first.rank()
                    || !Arrays.equals(t.shape, 1, t.rank(), first.shape, 1, first.rank())) {
                throw new IllegalArgumentException("cannot batch " + t + " with " + first + ": types and trailing shapes must match");
            }
            batch += t.shape[0];
            total += t.elementCount();
            anyDirect |= t.isDirect();
        }
        long[] s = first.shape.clone();
        s[0] = batch;
        if (anyDirect) {
            return concatBatchInto(parts, allocateDirect(first.type, s).region().base());
        }
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

    /**
     * Concatenates like {@link #concatBatch} into the first bytes of {@code target} (direct, native
     * order, large enough), returning a direct tensor over them whose {@link #region()} base is
     * {@code target} itself: for callers that reuse one buffer (or pooled memory) for every batch.
     */
    public static Tensor concatBatchInto(List<Tensor> parts, ByteBuffer target) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        if (!target.isDirect() || target.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("concatenation target must be a direct buffer in native order");
        }
        Tensor first = parts.get(0);
        long batch = 0;
        for (Tensor t : parts) {
            if (t.type != first.type || t.rank() != first.rank()
                    || !Arrays.equals(t.shape, 1, t.rank(), first.shape, 1, first.rank())) {
                throw new IllegalArgumentException("cannot batch " + t + " with " + first + ": types and trailing shapes must match");
            }
            batch += t.shape[0];
        }
        long[] s = first.shape.clone();
        s[0] = batch;
        long bytes = Math.multiplyExact(elementCount(s), first.type.bytes());
        if (target.capacity() < bytes) {
            throw new IllegalArgumentException(first.type + Arrays.toString(s) + " needs " + bytes + " bytes; the target holds "
                    + target.capacity());
        }
        Tensor out = new Tensor(first.type, s, null, null, target, 0);
        ByteBuffer at = out.buffer();
        for (Tensor t : parts) {
            t.copyInto(at);
        }
        return out;
    }

    /** Splits along the batch dimension into pieces of the given sizes (copies; direct stays direct). */
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
        return type + Arrays.toString(shape) + (isDirect() ? " (direct)" : "");
    }
}
