package io.jedge.runtime.backend.ort;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Direct memory that heap inputs, and inputs converted to the model's type ({@code Staging}), are written into
 * before ONNX Runtime reads them, shared by every thread calling one session. A call {@link #borrow}s a buffer per
 * such input and {@link #giveBack}s it once ONNX Runtime is done with it; a buffer is never lent to two calls at once. Buffers are sized to the next power
 * of two, so batch sizes that creep up one row at a time do not allocate on every call.
 *
 * <p>At most {@code maxIdle} buffers stay idle between calls (the largest ones, as a larger buffer serves
 * a smaller request); the rest are dropped for the garbage collector to free. The bound is what keeps
 * memory flat when an app calls from many threads: one buffer per thread, kept for the session's life,
 * is what the thread-local staging this replaces did.
 *
 * <p>Why not {@code backend.trt.HostMemoryPool}: that pool owns native memory it must free itself, hands
 * out zeroed tensors whose GPU addresses it looks up, and bounds the bytes it reserves; these are
 * {@code allocateDirect} buffers the collector frees, overwritten whole by each caller, and only their idle
 * count is bounded. A pool generic over both would carry each one's bookkeeping for the other.
 *
 * <p>Thread-safe. Owned by its session, which closes it after its last call; a buffer given back after
 * the close is dropped.
 */
final class StagingPool implements AutoCloseable {
    /** The smallest buffer handed out, so tiny inputs (a timestep, a class id) share one size. */
    static final int MIN_BYTES = 64;
    /** The largest direct buffer the JDK allocates. */
    static final long MAX_BYTES = io.jedge.runtime.backend.SizeClass.MAX_BUFFER;

    private final String owner;
    private final int maxIdle;
    /** Idle buffers by capacity. */
    private final TreeMap<Integer, ArrayDeque<ByteBuffer>> idle = new TreeMap<>();
    private int idleCount;
    private long allocations;
    private boolean closed;

    /**
     * @param owner   what the pool belongs to, for messages
     * @param maxIdle how many buffers to keep between calls, at least 1
     */
    StagingPool(String owner, int maxIdle) {
        if (maxIdle < 1) {
            throw new IllegalArgumentException("maxIdle: " + maxIdle + ", expected at least 1");
        }
        this.owner = owner;
        this.maxIdle = maxIdle;
    }

    /** The capacity a request of {@code bytes} gets: the next power of two, at least {@link #MIN_BYTES}, at most {@link #MAX_BYTES}. */
    static long sizeClass(long bytes) {
        return io.jedge.runtime.backend.SizeClass.of(bytes, MIN_BYTES);
    }

    /**
     * A direct buffer in native order of at least {@code bytes}, position 0, limit its capacity, lent to
     * the caller alone until {@link #giveBack}; its contents are the last user's.
     */
    ByteBuffer borrow(long bytes) {
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(owner + ": an input staged as " + bytes + " bytes does not fit one direct buffer"
                    + " (at most " + MAX_BYTES + "); pass a smaller batch");
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(owner + " is closed");
            }
            Map.Entry<Integer, ArrayDeque<ByteBuffer>> e = idle.ceilingEntry((int) bytes);
            if (e != null) {
                ByteBuffer b = e.getValue().poll();
                if (e.getValue().isEmpty()) {
                    idle.remove(e.getKey());
                }
                idleCount--;
                return b.clear();
            }
            allocations++;
        }
        // outside the lock: allocateDirect zeroes the memory, and other calls need not wait for that
        return ByteBuffer.allocateDirect((int) sizeClass(bytes)).order(ByteOrder.nativeOrder());
    }

    /** Takes back a buffer from {@link #borrow}; the caller must not touch it afterwards. */
    synchronized void giveBack(ByteBuffer b) {
        if (closed) {
            return;
        }
        if (idleCount == maxIdle) {
            Integer smallest = idle.firstKey();
            if (smallest >= b.capacity()) {
                return; // every kept buffer serves what this one would
            }
            ArrayDeque<ByteBuffer> q = idle.get(smallest);
            q.poll();
            if (q.isEmpty()) {
                idle.remove(smallest);
            }
            idleCount--;
        }
        idle.computeIfAbsent(b.capacity(), k -> new ArrayDeque<>()).add(b);
        idleCount++;
    }

    int maxIdle() {
        return maxIdle;
    }

    synchronized int idleCount() {
        return idleCount;
    }

    /** How many buffers were allocated rather than reused. */
    synchronized long allocations() {
        return allocations;
    }

    /** Drops every idle buffer; later borrows are refused. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        idle.clear();
        idleCount = 0;
    }
}
