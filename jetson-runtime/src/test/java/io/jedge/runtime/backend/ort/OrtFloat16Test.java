package io.jedge.runtime.backend.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.Float16;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.TinyModels;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model with float16 inputs and outputs (a model converted to FP16 with its IO kept FP16) on ONNX Runtime: float32
 * feeds, heap or direct, are converted into float16 through the session's staging, and float16 outputs come back from
 * {@code run} as float32, as on TensorRT.
 */
class OrtFloat16Test {
    private static final int ROWS = 3;
    /**
     * The model rounds x and y to float16 (relative 2^-11) and may compute in float16: |y| stays under 4 here, so its
     * rounding is under 2e-3, and x's rounding moves y by under sum |w| * 2^-11 * |x| = 2e-3.
     */
    private static final float TOLERANCE = 5e-3f;
    @TempDir
    static Path dir;
    private static OrtInferenceSession session;

    @BeforeAll
    static void open() {
        session = (OrtInferenceSession) new OrtBackend().open(TinyModels.copy("fp16", dir), SessionOptions.defaults());
    }

    @AfterAll
    static void close() {
        session.close();
    }

    /** Rows of x in [-1, 1], every value a distinct one that float16 cannot hold exactly. */
    private static float[] x(int rows) {
        float[] x = new float[rows * TinyModels.FP16_IN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(1.7 * i + 0.123456);
        }
        return x;
    }

    @Test
    void modelSaysItTakesAndGivesFloat16() {
        assertEquals("float16", session.inputs().get(0).dataType());
        assertEquals("float16", session.outputs().get(0).dataType());
    }

    /** The bug: ONNX Runtime said "Unexpected input data type. Actual: (tensor(float)), expected: (tensor(float16))". */
    @Test
    void float32HeapFeedIsConvertedAndOutputComesBackAsFloat32() {
        float[] x = x(ROWS);
        Tensor y = session.run(Map.of("x", Tensor.ofFloats(new long[] {ROWS, TinyModels.FP16_IN}, x))).get("y");
        assertEquals(DataType.FLOAT32, y.type());
        assertArrayEquals(new long[] {ROWS, TinyModels.FP16_OUT}, y.shape());
        assertArrayEquals(TinyModels.fp16Reference(x), y.floats(), TOLERANCE);
    }

    @Test
    void float32DirectFeedIsConvertedToo() {
        float[] x = x(ROWS + 1);
        Tensor all = Tensor.ofFloats(new long[] {ROWS + 1, TinyModels.FP16_IN}, x).toDirect();
        Tensor rows = all.viewBatch(1, ROWS + 1); // a view at an offset in a larger buffer
        Tensor y = session.run(Map.of("x", rows)).get("y");
        float[] want = TinyModels.fp16Reference(x);
        assertArrayEquals(java.util.Arrays.copyOfRange(want, TinyModels.FP16_OUT, want.length), y.floats(), TOLERANCE);
        assertEquals(x[TinyModels.FP16_IN], rows.buffer().getFloat(0), "the caller's tensor is read, never written");
    }

    /** Converting on our side gives ONNX Runtime the same bits as a float16 tensor the caller converted. */
    @Test
    void float32FeedAnswersExactlyAsTheSameValuesInFloat16() {
        float[] x = x(ROWS);
        Tensor half = Tensor.allocateDirect(DataType.FLOAT16, ROWS, TinyModels.FP16_IN);
        for (int i = 0; i < x.length; i++) {
            half.buffer().putShort(i * 2, Float16.fromFloat(x[i]));
        }
        float[] fromHalf = session.run(Map.of("x", half)).get("y").floats();
        float[] fromFloat = session.run(Map.of("x", Tensor.ofFloats(new long[] {ROWS, TinyModels.FP16_IN}, x))).get("y").floats();
        assertArrayEquals(fromHalf, fromFloat, 0f);
    }

    @Test
    void conversionsBorrowFromTheBoundedStaging() {
        Tensor heap = Tensor.ofFloats(new long[] {ROWS, TinyModels.FP16_IN}, x(ROWS));
        Tensor direct = heap.toDirect();
        session.run(Map.of("x", heap));
        long before = session.staging().allocations();
        for (int i = 0; i < 20; i++) {
            session.run(Map.of("x", i % 2 == 0 ? heap : direct));
        }
        assertEquals(before, session.staging().allocations(), "one call at a time reuses one staging buffer");
        assertTrue(session.staging().idleCount() <= session.staging().maxIdle());
    }

    @Test
    void runIntoWritesFloat16OutputsAsFloat16() {
        float[] x = x(ROWS);
        Tensor out = Tensor.allocateDirect(DataType.FLOAT16, ROWS, TinyModels.FP16_OUT);
        session.runInto(Map.of("x", Tensor.ofFloats(new long[] {ROWS, TinyModels.FP16_IN}, x)), Map.of("y", out));
        float[] want = TinyModels.fp16Reference(x);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], Float16.toFloat(out.buffer().getShort(i * 2)), TOLERANCE, "element " + i);
        }
    }

    /** The rule both backends share (OutputChecks): runInto writes the model's own type; run() is the float32 path. */
    @Test
    void runIntoRefusesAFloat32TensorForAFloat16Output() {
        Tensor out = Tensor.allocateDirect(DataType.FLOAT32, ROWS, TinyModels.FP16_OUT);
        String m = assertThrows(IllegalArgumentException.class, () -> session.runInto(
                Map.of("x", Tensor.ofFloats(new long[] {ROWS, TinyModels.FP16_IN}, x(ROWS))), Map.of("y", out))).getMessage();
        assertTrue(m.startsWith("output 'y': float32[3,4] (direct), expected float16[N,4]"), m);
        assertTrue(m.contains("run() returns float16 outputs as float32"), m);
    }

    @Test
    void refusesWhatCannotBeConvertedWithOneLine() {
        String m = assertThrows(IllegalArgumentException.class, () -> session.run(
                Map.of("x", Tensor.ofLongs(new long[] {1, TinyModels.FP16_IN}, new long[TinyModels.FP16_IN])))).getMessage();
        assertEquals("input 'x': int64[1,8], expected float16[N,8] (float16 inputs take float16 tensors or float32 ones, converted)",
                m);
        List<String> lines = m.lines().toList();
        assertEquals(1, lines.size());
    }
}
