package io.jedge.runtime.backend.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.TinyModels;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtDirectMemoryTest {
    private static final long[] SHAPE = {2, 4};
    @TempDir
    static Path dir;
    private static OrtInferenceSession session;

    @BeforeAll
    static void open() throws Exception {
        session = (OrtInferenceSession) new OrtBackend().open(TinyModels.copy("types", dir), SessionOptions.defaults());
    }

    @AfterAll
    static void close() {
        session.close();
    }

    /** Direct inputs of every type, element i holding i + 1 (FP16: 0.5 * (i + 1)). */
    private static Map<String, Tensor> inputs(int plus) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (DataType t : new DataType[] {DataType.FLOAT32, DataType.FLOAT16, DataType.UINT8, DataType.INT32, DataType.INT64}) {
            Tensor x = Tensor.allocateDirect(t, SHAPE);
            ByteBuffer b = x.buffer();
            for (int i = 0; i < 8; i++) {
                int v = i + 1 + plus;
                switch (t) {
                    case FLOAT32 -> b.putFloat(i * 4, v);
                    case FLOAT16 -> b.putShort(i * 2, io.jedge.runtime.backend.Float16.fromFloat(v * 0.5f));
                    case UINT8 -> b.put(i, (byte) v);
                    case INT32 -> b.putInt(i * 4, v);
                    case INT64 -> b.putLong(i * 8, v);
                }
            }
            in.put("in_" + t.specName(), x);
        }
        return in;
    }

    private static Map<String, Tensor> outputs() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (DataType t : new DataType[] {DataType.FLOAT32, DataType.FLOAT16, DataType.UINT8, DataType.INT32, DataType.INT64}) {
            out.put("out_" + t.specName(), Tensor.allocateDirect(t, SHAPE));
        }
        return out;
    }

    @Test
    void directInputIsWrappedWithoutACopy() throws Exception {
        Tensor x = Tensor.allocateDirect(DataType.FLOAT32, SHAPE);
        try (OnnxTensor o = session.toOrt(x)) {
            x.buffer().putFloat(3 * 4, 12.5f); // after wrapping
            assertEquals(12.5f, o.getFloatBuffer().get(3), "ONNX Runtime reads the tensor's own memory");
            assertFalse(o.ownsBuffer());
            assertTrue(o.getBufferRef().isPresent());
        }
    }

    @Test
    void everyElementTypeRunsIntoCallerOutputs() {
        Map<String, Tensor> out = outputs();
        session.runInto(inputs(0), out);
        for (int i = 0; i < 8; i++) {
            int want = 2 * (i + 1);
            assertEquals(want, out.get("out_float32").buffer().getFloat(i * 4), "float32 " + i);
            assertEquals(want * 0.5f, io.jedge.runtime.backend.Float16.toFloat(out.get("out_float16").buffer().getShort(i * 2)),
                    "float16 " + i);
            assertEquals(want, out.get("out_uint8").buffer().get(i) & 0xff, "uint8 " + i);
            assertEquals(want, out.get("out_int32").buffer().getInt(i * 4), "int32 " + i);
            assertEquals(want, out.get("out_int64").buffer().getLong(i * 8), "int64 " + i);
        }
    }

    @Test
    void callerOwnedOutputIsReusedInPlace() {
        ByteBuffer mine = ByteBuffer.allocateDirect(8 * 4).order(java.nio.ByteOrder.nativeOrder());
        Tensor y = Tensor.wrap(DataType.FLOAT32, SHAPE, mine);
        Map<String, Tensor> out = new LinkedHashMap<>(outputs());
        out.put("out_float32", y);
        session.runInto(inputs(0), out);
        assertEquals(2f, mine.getFloat(0), "written into the app's own buffer");
        session.runInto(inputs(10), out);
        assertEquals(22f, mine.getFloat(0), "the same buffer, reused by the next call");
        assertSame(mine, y.region().base());
    }

    @Test
    void runWithDirectInputsReturnsHeapOutputs() {
        Map<String, Tensor> got = session.run(inputs(0), java.util.Set.of("out_float32", "out_int64"));
        assertFalse(got.get("out_float32").isDirect());
        assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12, 14, 16}, got.get("out_float32").floats());
        assertEquals(16L, got.get("out_int64").longs()[7]);
    }

    @Test
    void heapInputsOfChangingBatchReuseTheStagingCorrectly() {
        for (int batch : new int[] {3, 1, 5, 2}) {
            Map<String, Tensor> in = new LinkedHashMap<>(inputs(0));
            float[] x = new float[batch * 4];
            long[] ids = new long[batch * 4];
            for (int i = 0; i < x.length; i++) {
                x[i] = batch * 100 + i;
                ids[i] = batch * 1000L + i;
            }
            in.put("in_float32", Tensor.ofFloats(new long[] {batch, 4}, x));
            in.put("in_int64", Tensor.ofLongs(new long[] {batch, 4}, ids));
            for (String name : new String[] {"in_float16", "in_uint8", "in_int32"}) {
                Tensor d = Tensor.allocateDirect(in.get(name).type(), batch, 4);
                in.put(name, d);
            }
            Map<String, Tensor> got = session.run(in, java.util.Set.of("out_float32", "out_int64"));
            for (int i = 0; i < x.length; i++) {
                assertEquals(2 * x[i], got.get("out_float32").floats()[i], "batch " + batch + " element " + i);
                assertEquals(2 * ids[i], got.get("out_int64").longs()[i], "batch " + batch + " element " + i);
            }
        }
    }

    @Test
    void wrongOutputsAreRefusedBeforeRunning() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("out_float32", Tensor.zeros(SHAPE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> session.runInto(inputs(0), out));
        assertTrue(e.getMessage().contains("on the heap"), e.getMessage());
        out.put("out_float32", Tensor.allocateDirect(DataType.INT32, SHAPE));
        e = assertThrows(IllegalArgumentException.class, () -> session.runInto(inputs(0), out));
        assertTrue(e.getMessage().contains("expected float32"), e.getMessage());
        out.put("out_float32", Tensor.allocateDirect(DataType.FLOAT32, 2, 5));
        e = assertThrows(IllegalArgumentException.class, () -> session.runInto(inputs(0), out));
        assertTrue(e.getMessage().contains("expected float32[-1, 4]") || e.getMessage().contains("expected float32"),
                e.getMessage());
        Map<String, Tensor> in = inputs(0);
        in.put("in_float16", Tensor.allocateDirect(DataType.INT32, SHAPE));
        e = assertThrows(IllegalArgumentException.class, () -> session.runInto(in, outputs()));
        assertTrue(e.getMessage().contains("in_float16"), e.getMessage());
    }
}
