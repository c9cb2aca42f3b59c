package io.jedge.runtime.backend.trt;

import io.jedge.sdk.DataType;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host memory the GPU reads and writes without a staging copy: pinned on a discrete GPU (copied by
 * DMA on the context's stream), mapped on an integrated one (the GPU uses it as it is). It hands out
 * direct {@link Tensor}s, takes them back with {@link #release}, keeps released blocks by size class
 * (powers of two) for reuse, and frees every block when closed. The owning session closes it after
 * its last call; tensors from it must not be used after that. Thread-safe.
 */
final class HostMemoryPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostMemoryPool.class);
    static final long MIN_BLOCK = 4096;

    /** Native host memory: allocated and freed by one implementation (CUDA here, a fake in tests). */
    interface Allocator {
        /** A block of at least {@code bytes}; {@code deviceAddress} is 0 where the GPU cannot address it directly. */
        Block allocate(long bytes);

        void free(Block block);
    }

    /**
     * One native allocation.
     *
     * @param buffer        the whole block as a direct buffer
     * @param hostAddress   its address on the host
     * @param deviceAddress its address on the GPU (mapped memory), or 0
     */
    record Block(ByteBuffer buffer, long hostAddress, long deviceAddress, long bytes) {
    }

    /** Where a pooled tensor's first byte is, on the host and (mapped memory) on the GPU. */
    record Address(long host, long device) {
    }

    private final String owner;
    private final HostMemory kind;
    private final Allocator allocator;
    private final long limitBytes;
    private final Map<Long, ArrayDeque<Block>> free = new TreeMap<>();
    private final Map<ByteBuffer, Block> lent = new IdentityHashMap<>();
    private long reservedBytes;
    private long lentBytes;
    private long nativeAllocations;
    private long reuses;
    private boolean closed;

    HostMemoryPool(String owner, HostMemory kind, Allocator allocator, long limitBytes) {
        if (limitBytes < MIN_BLOCK) {
            throw new IllegalArgumentException("host memory limit: " + limitBytes + " bytes, expected at least " + MIN_BLOCK);
        }
        this.owner = owner;
        this.kind = kind;
        this.allocator = allocator;
        this.limitBytes = limitBytes;
    }

    HostMemory kind() {
        return kind;
    }

    /** The size class a request of {@code bytes} takes: the next power of two, at least {@link #MIN_BLOCK}. */
    static long sizeClass(long bytes) {
        return io.jedge.runtime.backend.SizeClass.of(bytes, MIN_BLOCK);
    }

    /** Zeros copied into a reused block: one array for the pool's life, not one per allocation. */
    private static final byte[] ZEROS = new byte[1 << 16];

    /** A zero-filled direct tensor in this pool's memory; give it back with {@link #release}. */
    Tensor allocate(DataType type, long... shape) {
        ByteBuffer view = lend(type, shape);
        // zeroed outside the lock: runs look addresses up under it, and a large block takes milliseconds to clear;
        // the block is lent already, so no one else can be handed it meanwhile
        ByteBuffer z = view.duplicate(); // reused blocks hold the last user's data
        while (z.hasRemaining()) {
            z.put(ZEROS, 0, Math.min(ZEROS.length, z.remaining()));
        }
        return Tensor.wrap(type, shape, view);
    }

    private synchronized ByteBuffer lend(DataType type, long... shape) {
        if (closed) {
            throw new IllegalStateException(describe() + " is closed");
        }
        long bytes = Math.multiplyExact(Tensor.elementCount(shape), type.bytes());
        if (bytes > io.jedge.runtime.backend.SizeClass.MAX_BUFFER) {
            throw new IllegalArgumentException(type + Arrays.toString(shape) + " needs " + bytes
                    + " bytes, more than one direct buffer holds (" + io.jedge.runtime.backend.SizeClass.MAX_BUFFER + ")");
        }
        long size = sizeClass(bytes);
        ArrayDeque<Block> q = free.get(size);
        Block block = q == null ? null : q.poll();
        if (block != null) {
            reuses++;
        } else {
            if (reservedBytes + size > limitBytes) {
                throw new JedgeException(JedgeException.Code.RUN_FAILED, describe() + ": " + type + Arrays.toString(shape)
                        + " needs a " + size + "-byte block, but " + reservedBytes + " of the " + limitBytes
                        + " bytes allowed are reserved (" + lentBytes + " lent); release tensors you no longer use");
            }
            block = allocator.allocate(size);
            reservedBytes += size;
            nativeAllocations++;
        }
        ByteBuffer view = block.buffer().duplicate();
        view.clear().limit((int) bytes);
        view = view.slice().order(ByteOrder.nativeOrder());
        lent.put(view, block);
        lentBytes += size;
        return view;
    }

    /** Takes back a tensor from {@link #allocate} (not a view of one); its memory may be handed out again. */
    synchronized void release(Tensor t) {
        ByteBuffer base = t.isDirect() ? t.region().base() : null;
        Block block = base == null ? null : lent.get(base);
        if (block == null) {
            throw new IllegalArgumentException(t + " was not allocated by " + describe() + " (or was released already)");
        }
        if (t.region().offset() != 0 || t.byteSize() != base.capacity()) {
            throw new IllegalArgumentException("release the tensor the pool returned, not a view of it (" + t + ")");
        }
        lent.remove(base);
        lentBytes -= block.bytes();
        if (closed) {
            return;
        }
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).add(block);
    }

    /** Where {@code t}'s memory is, when it (or a view of it) came from this pool and is still lent. */
    Optional<Address> find(Tensor t) {
        return t.isDirect() ? findDirect(t.region()) : Optional.empty(); // heap tensors, every run's common case, take no lock
    }

    private synchronized Optional<Address> findDirect(Tensor.Region r) {
        Block block = lent.get(r.base());
        if (block == null) {
            return Optional.empty();
        }
        return Optional.of(new Address(block.hostAddress() + r.offset(),
                block.deviceAddress() == 0 ? 0 : block.deviceAddress() + r.offset()));
    }

    synchronized long reservedBytes() {
        return reservedBytes;
    }

    synchronized long lentBytes() {
        return lentBytes;
    }

    synchronized long nativeAllocations() {
        return nativeAllocations;
    }

    synchronized long reuses() {
        return reuses;
    }

    private String describe() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " host memory pool of " + owner;
    }

    /** Frees every block, lent or not (tensors from the pool are invalid afterwards). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!lent.isEmpty()) {
            LOG.debug("{}: {} tensors ({} bytes) still lent at close; their memory is freed now", describe(), lent.size(),
                    lentBytes);
        }
        for (Block b : lent.values()) {
            allocator.free(b);
        }
        for (ArrayDeque<Block> q : free.values()) {
            q.forEach(allocator::free);
        }
        lent.clear();
        free.clear();
        reservedBytes = 0;
        lentBytes = 0;
    }
}
