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
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs ONNX Runtime takes in another type and converts as TensorRT does (float32 for float16, int64 for int32), on
 * what only this backend shows: its staging pool and the bits it hands ONNX Runtime. What every backend does with a
 * float16 model (values, run's float32 outputs, runInto) is in {@code InferenceSessionConformance}.
 */
class OrtConvertedInputsTest {
    private static final int ROWS = 3;
    @TempDir
    static Path dir;
    private static OrtInferenceSession fp16;
    private static OrtInferenceSession types;

    @BeforeAll
    static void open() {
        fp16 = (OrtInferenceSession) new OrtBackend().open(TinyModels.copy("fp16", dir), SessionOptions.defaults());
        types = (OrtInferenceSession) new OrtBackend().open(TinyModels.copy("types", dir), SessionOptions.defaults());
    }

    @AfterAll
    static void close() {
        fp16.close();
        types.close();
    }

    private static Tensor x() {
        return Tensor.ofFloats(new long[] {ROWS, TinyModels.FP16_IN}, TinyModels.fp16Input(ROWS));
    }

    /** The bug: ONNX Runtime said "Unexpected input data type. Actual: (tensor(float)), expected: (tensor(float16))". */
    @Test
    void float32HeapFeedRunsAFloat16Model() {
        Tensor y = fp16.run(Map.of("x", x())).get("y");
        assertArrayEquals(TinyModels.fp16Reference(x().floats()), y.floats(), TinyModels.FP16_TOLERANCE);
    }

    /** Converting on our side gives ONNX Runtime the same bits as a float16 tensor the caller converted. */
    @Test
    void float32FeedAnswersExactlyAsTheSameValuesInFloat16() {
        float[] v = x().floats();
        Tensor half = Tensor.allocateDirect(DataType.FLOAT16, ROWS, TinyModels.FP16_IN);
        for (int i = 0; i < v.length; i++) {
            half.buffer().putShort(i * 2, Float16.fromFloat(v[i]));
        }
        float[] fromHalf = fp16.run(Map.of("x", half)).get("y").floats();
        assertArrayEquals(fromHalf, fp16.run(Map.of("x", x())).get("y").floats(), 0f);
        assertArrayEquals(fromHalf, fp16.run(Map.of("x", x().toDirect())).get("y").floats(), 0f);
    }

    @Test
    void conversionsBorrowFromTheBoundedStaging() {
        Tensor heap = x();
        Tensor direct = heap.toDirect();
        fp16.run(Map.of("x", heap));
        long before = fp16.staging().allocations();
        for (int i = 0; i < 20; i++) {
            fp16.run(Map.of("x", i % 2 == 0 ? heap : direct));
        }
        assertEquals(before, fp16.staging().allocations(), "one call at a time reuses one staging buffer");
        assertTrue(fp16.staging().idleCount() <= fp16.staging().maxIdle());
    }

    @Test
    void refusesWhatCannotBeConvertedWithOneLine() {
        String m = assertThrows(IllegalArgumentException.class, () -> fp16.run(
                Map.of("x", Tensor.ofLongs(new long[] {1, TinyModels.FP16_IN}, new long[TinyModels.FP16_IN])))).getMessage();
        assertEquals("input 'x': int64[1,8], expected float16[N,8] (float16 inputs take float16 tensors or float32 ones, converted)",
                m);
        String f = assertThrows(IllegalArgumentException.class, () -> types.run(typesFeed(Tensor.zeros(2, 4)))).getMessage();
        assertEquals("input 'in_int32': float32[2,4], expected int32[N,4] (int32 inputs take int32 tensors or int64 ones, converted)",
                f);
    }

    /** Every input of the types fixture direct and of its own type, but in_int32 as given. */
    private static Map<String, Tensor> typesFeed(Tensor int32Input) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (DataType t : DataType.values()) {
            in.put("in_" + t.specName(), Tensor.allocateDirect(t, 2, 4));
        }
        in.put("in_int32", int32Input);
        return in;
    }

    @Test
    void int64FeedsForAnInt32InputAreNarrowedOrRefusedByElement() {
        long[] v = {1, -2, Integer.MAX_VALUE / 2, Integer.MIN_VALUE / 2, 5, 6, 7, 8};
        for (Tensor t : new Tensor[] {Tensor.ofLongs(new long[] {2, 4}, v), Tensor.ofLongs(new long[] {2, 4}, v).toDirect()}) {
            Tensor out = types.run(typesFeed(t), java.util.Set.of("out_int32")).get("out_int32");
            long[] want = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                want[i] = 2 * v[i];
            }
            assertArrayEquals(want, out.longs(), "in_int32 + in_int32, widened back to int64");
        }
        long[] bad = v.clone();
        bad[3] = 1L << 40;
        String m = assertThrows(IllegalArgumentException.class, () -> types.run(typesFeed(Tensor.ofLongs(new long[] {2, 4}, bad)),
                java.util.Set.of("out_int32")))
                .getMessage();
        assertEquals("input 'in_int32': element 3 is 1099511627776, outside the int32 range the model takes", m);
        // the refused call gave its staging buffer back: the next call borrows it again instead of allocating
        long before = types.staging().allocations();
        types.run(typesFeed(Tensor.ofLongs(new long[] {2, 4}, v)), java.util.Set.of("out_int32"));
        assertEquals(before, types.staging().allocations(), "a refusal mid-staging returns what it borrowed");
    }
}
