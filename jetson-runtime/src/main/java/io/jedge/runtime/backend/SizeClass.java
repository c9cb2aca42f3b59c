package io.jedge.runtime.backend;

/**
 * The size class buffers are reused by: the next power of two. Batch sizes that creep up one row at a time then find a
 * buffer already big enough instead of allocating on every call. The TensorRT host pool, ONNX Runtime's heap-input
 * staging and the batcher's staging all round this way, each with its own smallest size.
 */
public final class SizeClass {
    private SizeClass() {
    }

    /** The smallest power of two at least {@code bytes} and at least {@code min} (a power of two itself). */
    public static long of(long bytes, long min) {
        long b = Math.max(bytes, min);
        long c = Long.highestOneBit(b);
        return c == b ? b : Math.multiplyExact(c, 2);
    }
}
