package io.jedge.runtime.backend.trt;

import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaHostAlloc;
import static org.bytedeco.cuda.global.cudart.cudaHostAllocMapped;
import static org.bytedeco.cuda.global.cudart.cudaHostAllocPortable;
import static org.bytedeco.cuda.global.cudart.cudaHostGetDevicePointer;

import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/** {@link HostMemoryPool.Allocator} over {@code cudaHostAlloc}: portable pinned memory, mapped when asked. */
final class CudaHostAllocator implements HostMemoryPool.Allocator {
    private final boolean mapped;

    private CudaHostAllocator(boolean mapped) {
        this.mapped = mapped;
    }

    /** Fails with {@code BACKEND_UNAVAILABLE}, naming what is missing, where CUDA cannot load. */
    static CudaHostAllocator create(HostMemory kind) {
        TrtAvailability.require("allocate " + kind.name().toLowerCase(java.util.Locale.ROOT) + " host memory");
        return new CudaHostAllocator(kind == HostMemory.MAPPED);
    }

    @Override
    public HostMemoryPool.Block allocate(long bytes) {
        Pointer host = new Pointer();
        Cuda.check(cudaHostAlloc(host, bytes, cudaHostAllocPortable | (mapped ? cudaHostAllocMapped : 0)),
                "cudaHostAlloc(" + bytes + " bytes" + (mapped ? ", mapped" : "") + ")");
        long device = 0;
        if (mapped) {
            Pointer d = new Pointer();
            int err = cudaHostGetDevicePointer(d, host, 0);
            if (err != 0) {
                cudaFreeHost(host);
                Cuda.check(err, "cudaHostGetDevicePointer");
            }
            device = d.address();
        }
        java.nio.ByteBuffer buffer;
        try {
            buffer = new BytePointer(host).capacity(bytes).limit(bytes).asByteBuffer().order(ByteOrder.nativeOrder());
        } catch (RuntimeException e) {
            cudaFreeHost(host); // pinned memory nobody could reach otherwise
            throw e;
        }
        return new HostMemoryPool.Block(buffer, host.address(), device, bytes);
    }

    @Override
    public void free(HostMemoryPool.Block block) {
        cudaFreeHost(Addresses.at(block.hostAddress()));
    }
}
