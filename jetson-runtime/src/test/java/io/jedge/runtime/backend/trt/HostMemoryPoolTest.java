package io.jedge.runtime.backend.trt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jedge.sdk.DataType;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool's accounting and lookups up to the native boundary, with a fake allocator in place of cudaHostAlloc. */
class HostMemoryPoolTest {
    /** Hands out direct buffers at made-up addresses; device addresses only when "mapped". */
    static final class FakeAllocator implements HostMemoryPool.Allocator {
        final boolean mapped;
        final List<HostMemoryPool.Block> live = new ArrayList<>();
        long next = 0x10000;
        int frees;

        FakeAllocator(boolean mapped) {
            this.mapped = mapped;
        }

        @Override
        public HostMemoryPool.Block allocate(long bytes) {
            HostMemoryPool.Block b = new HostMemoryPool.Block(ByteBuffer.allocateDirect((int) bytes), next,
                    mapped ? next + 0x7000_0000_0000L : 0, bytes);
            next += bytes;
            live.add(b);
            return b;
        }

        @Override
        public void free(HostMemoryPool.Block block) {
            assertTrue(live.remove(block), "freed twice or never allocated");
            frees++;
        }
    }

    @Test
    void sizeClassesArePowersOfTwoFromFourKiB() {
        assertEquals(4096, HostMemoryPool.sizeClass(1));
        assertEquals(4096, HostMemoryPool.sizeClass(4096));
        assertEquals(8192, HostMemoryPool.sizeClass(4097));
        assertEquals(16L << 20, HostMemoryPool.sizeClass(16L * 3 * 224 * 224 * 4), "a batch-16 ViT input, 9.2 MiB");
        // 1-2 GiB: the largest buffer there is, not 2^31, which no direct buffer wraps (the pinned block leaked then)
        assertEquals(io.jedge.runtime.backend.SizeClass.MAX_BUFFER, HostMemoryPool.sizeClass((1L << 30) + 1));
        assertEquals(1L << 30, HostMemoryPool.sizeClass(1L << 30));
    }

    @Test
    void releasedBlocksAreReusedAndAccounted() {
        FakeAllocator fake = new FakeAllocator(false);
        try (HostMemoryPool pool = new HostMemoryPool("test", HostMemory.PINNED, fake, 1 << 20)) {
            Tensor a = pool.allocate(DataType.FLOAT32, 2, 1000); // 8000 bytes -> 8 KiB block
            assertEquals(8192, pool.reservedBytes());
            assertEquals(8192, pool.lentBytes());
            a.buffer().putFloat(0, 3f);
            pool.release(a);
            assertEquals(0, pool.lentBytes());
            Tensor b = pool.allocate(DataType.FLOAT16, 4000); // same class: reused, and zeroed
            assertEquals(1, pool.nativeAllocations());
            assertEquals(1, pool.reuses());
            assertEquals(0, b.buffer().getShort(0));
            assertEquals(8192, pool.reservedBytes());
            pool.allocate(DataType.UINT8, 100);
            assertEquals(2, pool.nativeAllocations());
            assertEquals(8192 + 4096, pool.reservedBytes());
        }
        assertTrue(fake.live.isEmpty(), "close frees lent and free blocks alike");
        assertEquals(2, fake.frees);
    }

    @Test
    void findGivesAddressesOfPooledTensorsAndTheirViews() {
        FakeAllocator fake = new FakeAllocator(true);
        try (HostMemoryPool pool = new HostMemoryPool("test", HostMemory.MAPPED, fake, 1 << 20)) {
            Tensor t = pool.allocate(DataType.FLOAT32, 4, 10);
            HostMemoryPool.Block block = fake.live.get(0);
            HostMemoryPool.Address whole = pool.find(t).orElseThrow();
            assertEquals(block.hostAddress(), whole.host());
            assertEquals(block.deviceAddress(), whole.device());
            HostMemoryPool.Address row2 = pool.find(t.viewBatch(2, 4)).orElseThrow();
            assertEquals(block.hostAddress() + 80, row2.host());
            assertEquals(block.deviceAddress() + 80, row2.device());
            assertFalse(pool.find(Tensor.allocateDirect(DataType.FLOAT32, 4, 10)).isPresent(), "not pooled");
            assertFalse(pool.find(Tensor.zeros(4, 10)).isPresent(), "heap");
            pool.release(t);
            assertFalse(pool.find(t).isPresent(), "released memory is no longer bound");
        }
    }

    @Test
    void pinnedBlocksHaveNoDeviceAddress() {
        try (HostMemoryPool pool = new HostMemoryPool("test", HostMemory.PINNED, new FakeAllocator(false), 1 << 20)) {
            assertEquals(0, pool.find(pool.allocate(DataType.INT64, 3)).orElseThrow().device());
        }
    }

    @Test
    void limitMisuseAndCloseFailWithOneLine() {
        FakeAllocator fake = new FakeAllocator(false);
        HostMemoryPool pool = new HostMemoryPool("engine 'vit'", HostMemory.PINNED, fake, 16384);
        Tensor a = pool.allocate(DataType.UINT8, 16384);
        JedgeException full = assertThrows(JedgeException.class, () -> pool.allocate(DataType.UINT8, 1));
        assertTrue(full.getMessage().contains("16384 of the 16384 bytes allowed are reserved"), full.getMessage());
        IllegalArgumentException view = assertThrows(IllegalArgumentException.class, () -> pool.release(a.viewBatch(0, 1)));
        assertTrue(view.getMessage().contains("not a view"), view.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pool.release(Tensor.allocateDirect(DataType.UINT8, 4)));
        pool.release(a);
        assertThrows(IllegalArgumentException.class, () -> pool.release(a), "released twice");
        pool.close();
        pool.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> pool.allocate(DataType.UINT8, 1));
        assertTrue(closed.getMessage().contains("engine 'vit'") && closed.getMessage().contains("closed"), closed.getMessage());
        assertEquals(1, fake.frees);
    }

    @Test
    void policyBindsMappedMemoryAndCopiesTheRest() {
        assertEquals(HostMemory.MAPPED, HostMemory.forPlatform(true));
        assertEquals(HostMemory.PINNED, HostMemory.forPlatform(false));
        // mapped, direct, pooled: bound as it is, unless a CUDA graph fixed the addresses
        assertEquals(IoPath.BIND, IoPath.choose(true, true, true, false, false));
        assertEquals(IoPath.DMA, IoPath.choose(true, true, true, false, true));
        // pinned pool on a discrete GPU: DMA, no staging copy
        assertEquals(IoPath.DMA, IoPath.choose(false, true, true, false, false));
        assertEquals(IoPath.PAGEABLE, IoPath.choose(false, true, false, false, false));
        assertEquals(IoPath.PAGEABLE, IoPath.choose(true, true, false, false, false));
        assertEquals(IoPath.STAGE, IoPath.choose(false, false, false, true, false));
        assertEquals(IoPath.STAGE, IoPath.choose(true, false, false, true, false));
    }

    @Test
    void cudaGraphsRefuseEnginesWithMoreThanOneShape() {
        IoTensor fixed = new IoTensor("pixels", true, DataType.FLOAT32, new long[] {-1, 3, 224, 224},
                new long[] {16, 3, 224, 224}, new long[] {16, 3, 224, 224});
        TrtInferenceSession.checkFixedShapes("vit.plan", List.of(fixed));
        IoTensor dynamic = new IoTensor("pixels", true, DataType.FLOAT32, new long[] {-1, 3, 224, 224},
                new long[] {1, 3, 224, 224}, new long[] {16, 3, 224, 224});
        String m = assertThrows(IllegalArgumentException.class,
                () -> TrtInferenceSession.checkFixedShapes("vit.plan", List.of(dynamic))).getMessage();
        assertEquals("CUDA graphs need fixed shapes, but engine 'vit.plan' input 'pixels' takes float32[1..16,3,224,224]; "
                + "build the engine with one shape (--engine-batch N:N:N) or leave CUDA graphs off", m);
        assertFalse(TrtSessionOptions.defaults().cudaGraphs(), "off by default");
        assertTrue(TrtSessionOptions.builder().cudaGraphs(true).build().cudaGraphs());
    }

    @Test
    void nativeAllocatorSaysWhatIsMissingWithoutCuda() {
        assumeFalse(TrtAvailability.processWide().available(), "CUDA is present here");
        JedgeException e = assertThrows(JedgeException.class, () -> CudaHostAllocator.create(HostMemory.PINNED));
        assertEquals(JedgeException.Code.BACKEND_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().startsWith("cannot allocate pinned host memory: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void tensorsOfTheEngineTypeAreBoundAndFloat32IsConvertedForFloat16() {
        IoTensor half = new IoTensor("x", true, DataType.FLOAT16, new long[] {2}, new long[] {2}, new long[] {2});
        IoValidation.validateInputs("e", List.of(half), java.util.Map.of("x", Tensor.zeros(2)));
        IoValidation.validateInputs("e", List.of(half), java.util.Map.of("x", Tensor.allocateDirect(DataType.FLOAT16, 2)));
        IoValidation.validateInputs("e", List.of(half), java.util.Map.of("x", Tensor.allocateDirect(DataType.FLOAT32, 2)));
        assertFalse(IoValidation.converts(DataType.FLOAT16, Tensor.allocateDirect(DataType.FLOAT16, 2)));
        assertTrue(IoValidation.converts(DataType.FLOAT16, Tensor.allocateDirect(DataType.FLOAT32, 2)));
        String m = assertThrows(IllegalArgumentException.class, () -> IoValidation.validateInputs("e", List.of(half),
                java.util.Map.of("x", Tensor.allocateDirect(DataType.INT32, 2)))).getMessage();
        assertTrue(m.contains("int32[2] (direct)") && m.contains("float16 tensors or float32 ones, converted"), m);
        IoTensor bytes = new IoTensor("img", true, DataType.UINT8, new long[] {4}, new long[] {4}, new long[] {4});
        IoValidation.validateInputs("e", List.of(bytes), java.util.Map.of("img", Tensor.allocateDirect(DataType.UINT8, 4)));
        assertThrows(IllegalArgumentException.class,
                () -> IoValidation.validateInputs("e", List.of(bytes), java.util.Map.of("img", Tensor.ofLongs(new long[] {4},
                        new long[4]))));
        assertSame(DataType.UINT8, NativeEngine.fromTensorRt("kUINT8"));
    }
}
