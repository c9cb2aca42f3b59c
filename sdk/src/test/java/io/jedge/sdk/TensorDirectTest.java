package io.jedge.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorDirectTest {
    @Test
    void wrapSharesTheBufferWithoutCopying() {
        ByteBuffer b = ByteBuffer.allocateDirect(6 * 4).order(ByteOrder.nativeOrder());
        Tensor t = Tensor.wrap(DataType.FLOAT32, new long[] {2, 3}, b);
        b.putFloat(4 * 4, 7.5f);
        assertEquals(7.5f, t.toFloatArray()[4]);
        t.buffer().putFloat(0, -1f);
        assertEquals(-1f, b.getFloat(0));
        assertSame(b, t.region().base());
        assertTrue(t.isDirect());
    }

    @Test
    void everyElementTypeHasItsSize() {
        long[] shape = {2, 5};
        for (DataType type : DataType.values()) {
            Tensor t = Tensor.allocateDirect(type, shape);
            assertEquals(10L * type.bytes(), t.byteSize(), type.name());
            assertEquals(10L * type.bytes(), t.buffer().capacity(), type.name());
            assertEquals(type, DataType.fromSpecName(type.specName()).orElseThrow());
        }
        assertEquals(2, DataType.FLOAT16.bytes());
        assertEquals(1, DataType.UINT8.bytes());
    }

    @Test
    void viewsShareMemory() {
        Tensor t = Tensor.allocateDirect(DataType.INT32, 4, 2);
        Tensor rows = t.viewBatch(1, 3);
        assertArrayEquals(new long[] {2, 2}, rows.shape());
        rows.buffer().putInt(0, 42); // row 1, column 0 of the parent
        assertEquals(42, t.buffer().getInt(2 * 4));
        assertSame(t.region().base(), rows.region().base());
        assertEquals(8, rows.region().offset());
        Tensor flat = rows.reshape(4);
        flat.buffer().putInt(3 * 4, 9);
        assertEquals(9, t.buffer().getInt(5 * 4));
    }

    @Test
    void wrapRefusesHeapWrongOrderAndWrongSize() {
        assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(DataType.FLOAT32, new long[] {1}, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder())));
        ByteOrder other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(DataType.FLOAT32, new long[] {1}, ByteBuffer.allocateDirect(4).order(other)));
        assertTrue(e.getMessage().contains("native order"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(DataType.INT64, new long[] {2}, ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder())));
        assertTrue(e.getMessage().contains("16 bytes"), e.getMessage());
    }

    @Test
    void heapAccessorsSayWhatToUseOnDirectTensors() {
        Tensor t = Tensor.allocateDirect(DataType.FLOAT32, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, t::floats);
        assertTrue(e.getMessage().contains("toFloatArray"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).viewBatch(0, 1));
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).buffer());
    }

    @Test
    void concatAndSliceCopyAndKeepDirectness() {
        Tensor a = Tensor.ofFloats(new long[] {1, 2}, new float[] {1, 2});
        Tensor b = Tensor.ofFloats(new long[] {2, 2}, new float[] {3, 4, 5, 6}).toDirect();
        Tensor c = Tensor.concatBatch(List.of(a, b));
        assertTrue(c.isDirect());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.toFloatArray());
        Tensor s = c.sliceBatch(1, 2);
        c.buffer().putFloat(2 * 4, 99f);
        assertArrayEquals(new float[] {3, 4}, s.toFloatArray(), "a slice is a copy");
        assertFalse(Tensor.concatBatch(List.of(a, a)).isDirect());
    }
}
