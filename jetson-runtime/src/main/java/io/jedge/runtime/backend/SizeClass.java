package io.jedge.runtime.backend;

/**
 * The size class buffers are reused by: the next power of two. Batch sizes that creep up one row at a time then find a
 * buffer already big enough instead of allocating on every call. The TensorRT host pool, ONNX Runtime's heap-input
 * staging and the batcher's staging all round this way, each with its own smallest size.
 */
public final class SizeClass {
    /** The most one direct buffer holds (the JDK refuses 2^31 and, on some VMs, the last few bytes below it). */
    public static final long MAX_BUFFER = Integer.MAX_VALUE - 8;

    private SizeClass() {
    }

    /**
     * The smallest power of two at least {@code bytes} and at least {@code min} (a power of two itself), but at most
     * {@link #MAX_BUFFER}: a request of 1–2 GiB gets exactly the largest buffer there is, not 2^31, which no direct buffer
     * can wrap. Above {@link #MAX_BUFFER} the plain power of two, which callers refuse.
     */
    public static long of(long bytes, long min) {
        long b = Math.max(bytes, min);
        long c = Long.highestOneBit(b);
        long p = c == b ? b : Math.multiplyExact(c, 2);
        return b <= MAX_BUFFER ? Math.min(p, MAX_BUFFER) : p;
    }
}
