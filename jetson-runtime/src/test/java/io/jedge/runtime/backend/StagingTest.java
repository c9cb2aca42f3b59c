package io.jedge.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The staging conversions up to the native boundary: a direct buffer stands in for a backend's staging memory. */
class StagingTest {
    private static final short GUARD = (short) 0xA5A5;

    /** A staging buffer of {@code n} float16 elements and one guard element after them. */
    private static ByteBuffer halves(int n) {
        ByteBuffer b = ByteBuffer.allocateDirect((n + 1) * 2).order(ByteOrder.nativeOrder());
        b.putShort(n * 2, GUARD);
        return b.limit(n * 2).slice().order(ByteOrder.nativeOrder()).limit(n * 2);
    }

    /** {@code values} staged into a float16 input from a heap tensor and from a direct one (a view at an offset). */
    private static List<short[]> stageBothWays(float[] values) {
        int n = values.length;
        Tensor heap = Tensor.ofFloats(new long[] {1, n}, values);
        Tensor bigger = Tensor.allocateDirect(DataType.FLOAT32, 2, n);
        bigger.buffer().asFloatBuffer().put(n, values); // row 1; row 0 stays zero
        Tensor direct = bigger.viewBatch(1, 2);
        List<short[]> out = new ArrayList<>();
        for (Tensor t : List.of(heap, direct)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(n * 2 + 2).order(ByteOrder.nativeOrder());
            dst.putShort(n * 2, GUARD);
            Staging.write("x", DataType.FLOAT16, t, dst);
            assertEquals(GUARD, dst.getShort(n * 2), "nothing written past the tensor");
            short[] h = new short[n];
            dst.asShortBuffer().get(h);
            out.add(h);
        }
        return out;
    }

    private static void assertStages(float[] values, int[] wantBits) {
        for (short[] got : stageBothWays(values)) {
            for (int i = 0; i < values.length; i++) {
                assertEquals(wantBits[i], got[i] & 0xffff, "element " + i + ": " + values[i] + " (bits 0x"
                        + Integer.toHexString(Float.floatToRawIntBits(values[i])) + ")");
            }
        }
    }

    @Test
    void float32IntoFloat16IsBitExactOnEveryEdge() {
        float[] v = {
            1f, -2f, 0f, -0f, 1f / 3f,
            65504f, 65519.996f, 65520f, 70000f, -70000f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.intBitsToFloat(0x7fc00000), Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001),
            Float.intBitsToFloat(0x7f802000),
            0x1p-24f, 0x1p-25f, Math.nextUp(0x1p-25f), 3 * 0x1p-25f, 0x3ffp-24f, 0x1p-14f, Math.nextDown(0x1p-14f), -1e-9f,
            -0x1p-24f, Float.MIN_VALUE,
            1f + 0x1p-11f, 1f + 3 * 0x1p-11f, Math.nextUp(1f + 0x1p-11f), Math.nextDown(1f + 3 * 0x1p-11f),
        };
        int[] want = {
            0x3c00, 0xc000, 0x0000, 0x8000, 0x3555,
            0x7bff, 0x7bff, 0x7c00, 0x7c00, 0xfc00, 0x7c00, 0xfc00,      // 65520 is the tie between 65504 and 2^16: even is inf
            0x7e00, 0xfe00, 0x7e00,                                       // NaNs stay NaN, quiet, with their sign
            0x7e01,                                                       // the payload's top bits survive
            0x0001, 0x0000, 0x0001, 0x0002, 0x03ff, 0x0400, 0x0400, 0x8000, // subnormals, ties to even
            0x8001, 0x0000,
            0x3c00, 0x3c02, 0x3c01, 0x3c01,                               // ties to even, and just off the ties
        };
        assertStages(v, want);
    }

    /**
     * Every float16 value, the midpoints between neighbours and the floats just beside them, both signs,
     * against a reference that picks the nearest half by distance (ties to the even one).
     */
    @Test
    void float32IntoFloat16MatchesNearestEvenEverywhere() {
        List<Float> values = new ArrayList<>();
        for (int h = 0; h < 0x7c00; h++) {
            float lo = Float16.toFloat((short) h);
            float hi = h == 0x7bff ? 65536f : Float16.toFloat((short) (h + 1)); // past the largest half: 2^16 rounds to inf
            float mid = (float) (((double) lo + hi) / 2);
            for (float f : new float[] {lo, mid, Math.nextDown(mid), Math.nextUp(mid)}) {
                values.add(f);
                values.add(-f);
            }
        }
        float[] v = new float[values.size()];
        int[] want = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
            want[i] = nearestEven(v[i]);
        }
        assertStages(v, want);
    }

    /** The reference: the two halves around |f| (2^16 standing for inf), nearest by distance, ties to the even one. */
    private static int nearestEven(float f) {
        int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
        double a = Math.abs((double) f);
        int lo = 0;
        int hi = 0x7c00;
        while (hi - lo > 1) { // largest half not above a: positive halves are ordered like their bits
            int m = (lo + hi) >>> 1;
            if (value(m) <= a) {
                lo = m;
            } else {
                hi = m;
            }
        }
        double dLo = a - value(lo);
        double dHi = value(lo + 1) - a;
        int h = dLo < dHi ? lo : dHi < dLo ? lo + 1 : (lo & 1) == 0 ? lo : lo + 1;
        return sign | h;
    }

    private static double value(int h) {
        return h == 0x7c00 ? 65536.0 : Float16.toFloat((short) h);
    }

    @Test
    void float16OutputsReadBackAsFloat32BitExactly() {
        ByteBuffer src = halves(0x10000);
        for (int h = 0; h < 0x10000; h++) {
            src.putShort(h * 2, (short) h);
        }
        float[] got = Staging.read("y", DataType.FLOAT16, new long[] {256, 256}, src).floats();
        for (int h = 0; h < 0x10000; h++) {
            int e = (h >> 10) & 0x1f;
            int m = h & 0x3ff;
            float want = e == 0x1f ? (m == 0 ? Float.POSITIVE_INFINITY : Float.NaN) : e == 0 ? m * 0x1p-24f
                    : Math.scalb(1f + m / 1024f, e - 15);
            want = (h & 0x8000) != 0 ? -want : want;
            if (Float.isNaN(want)) {
                assertTrue(Float.isNaN(got[h]), "half 0x" + Integer.toHexString(h));
            } else {
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[h]), "half 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void int64IntoInt32NarrowsOrNamesInputElementAndValue() {
        long[] ok = {1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (Tensor t : List.of(Tensor.ofLongs(new long[] {4}, ok), Tensor.ofLongs(new long[] {4}, ok).toDirect())) {
            ByteBuffer dst = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
            Staging.write("ids", DataType.INT32, t, dst);
            int[] got = new int[4];
            dst.asIntBuffer().get(got);
            assertArrayEquals(new int[] {1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE}, got);
        }
        for (long bad : new long[] {1L << 40, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L}) {
            long[] v = {0, bad, 3};
            for (Tensor t : List.of(Tensor.ofLongs(new long[] {3}, v), Tensor.ofLongs(new long[] {3}, v).toDirect())) {
                String m = assertThrows(IllegalArgumentException.class,
                        () -> Staging.write("ids", DataType.INT32, t, ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder())))
                        .getMessage();
                assertEquals("input 'ids': element 1 is " + bad + ", outside the int32 range the model takes", m);
            }
        }
    }

    @Test
    void sameTypeTensorsCopyAndIntegerOutputsWiden() {
        ByteBuffer f = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
        Staging.write("x", DataType.FLOAT32, Tensor.ofFloats(new long[] {3}, new float[] {1.5f, -0f, 7f}), f);
        assertArrayEquals(new float[] {1.5f, -0f, 7f}, Staging.read("x", DataType.FLOAT32, new long[] {3}, f).floats());

        ByteBuffer l = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        Staging.write("t", DataType.INT64, Tensor.ofLongs(new long[] {2}, new long[] {1L << 40, -5}), l);
        assertArrayEquals(new long[] {1L << 40, -5}, Staging.read("t", DataType.INT64, new long[] {2}, l).longs());

        Tensor half = Tensor.allocateDirect(DataType.FLOAT16, 2);
        half.buffer().putShort(0, (short) 0x3c00).putShort(2, (short) 0xc000);
        ByteBuffer h = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        Staging.write("x", DataType.FLOAT16, half, h);
        assertEquals(0x3c00, h.getShort(0) & 0xffff);
        assertEquals(0xc000, h.getShort(2) & 0xffff);

        ByteBuffer i = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        i.putInt(0, -7).putInt(4, Integer.MAX_VALUE);
        assertArrayEquals(new long[] {-7, Integer.MAX_VALUE}, Staging.read("n", DataType.INT32, new long[] {2}, i).longs());
    }

    @Test
    void refusesWhatDoesNotFitOrHasNoHeapForm() {
        String m = assertThrows(IllegalArgumentException.class, () -> Staging.write("x", DataType.FLOAT16,
                Tensor.zeros(1, 8), ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()))).getMessage();
        assertEquals("input 'x': 8 float16 elements take 16 bytes, more than its 8-byte staging buffer", m);
        String u = assertThrows(IllegalArgumentException.class, () -> Staging.read("mask", DataType.UINT8, new long[] {2},
                ByteBuffer.allocateDirect(2))).getMessage();
        assertTrue(u.contains("output 'mask' is uint8") && u.contains("runInto"), u);
    }

    /** The point of the change: staging a 1x3x224x224 float32 tensor into float16 allocates no arrays (the old path took 900 KB). */
    @Test
    void stagingAllocatesNoIntermediateArrays() {
        int n = 3 * 224 * 224;
        Tensor heap = Tensor.ofFloats(new long[] {1, 3, 224, 224}, new float[n]);
        Tensor direct = heap.toDirect();
        ByteBuffer dst = ByteBuffer.allocateDirect(n * 2).order(ByteOrder.nativeOrder());
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (Tensor t : List.of(heap, direct)) {
            Staging.write("x", DataType.FLOAT16, t, dst); // loads classes once
            long before = mx.getThreadAllocatedBytes(id);
            Staging.write("x", DataType.FLOAT16, t, dst);
            long allocated = mx.getThreadAllocatedBytes(id) - before;
            assertTrue(allocated < 4096, (t.isDirect() ? "direct" : "heap") + " staging allocated " + allocated + " bytes");
        }
    }
}
