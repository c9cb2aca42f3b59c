package io.jedge.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SeededInputsTest {
    static final List<TensorSpec> SPECS = List.of(new TensorSpec("x", "float32", List.of(-1L, 4L, 256L)),
            new TensorSpec("ids", "int64", List.of(-1L, 64L)), new TensorSpec("fixed", "float32", List.of(2L, 3L)));

    @Test
    void shapesFollowTheBatchAndValuesTheirType() {
        Map<String, Tensor> f = SeededInputs.feed(SPECS, 3, 42);
        assertArrayEquals(new long[] {3, 4, 256}, f.get("x").shape());
        assertArrayEquals(new long[] {3, 64}, f.get("ids").shape());
        assertArrayEquals(new long[] {2, 3}, f.get("fixed").shape(), "a fixed first dimension stays");
        float[] x = f.get("x").floats();
        double mean = IntStream.range(0, x.length).mapToDouble(i -> x[i]).average().orElseThrow();
        double std = Math.sqrt(IntStream.range(0, x.length).mapToDouble(i -> (x[i] - mean) * (x[i] - mean)).average().orElseThrow());
        assertTrue(Math.abs(mean) < 0.1 && Math.abs(std - 1) < 0.1, "N(0, 1): mean " + mean + ", std " + std);
        long[] ids = f.get("ids").longs();
        assertTrue(Arrays.stream(ids).allMatch(v -> v >= 0 && v < SeededInputs.INT_BOUND), Arrays.toString(ids));
        assertTrue(Arrays.stream(ids).distinct().count() > 5, "ids spread over the range");
    }

    @Test
    void aSeedGivesTheSameTensorsAndFeedsDoNotDependOnTheirCount() {
        assertArrayEquals(SeededInputs.feed(SPECS, 2, 7).get("x").floats(), SeededInputs.feed(SPECS, 2, 7).get("x").floats());
        assertFalse(Arrays.equals(SeededInputs.feed(SPECS, 2, 7).get("x").floats(), SeededInputs.feed(SPECS, 2, 8).get("x").floats()));
        List<Map<String, Tensor>> three = SeededInputs.feeds(SPECS, 3, 1, 5);
        List<Map<String, Tensor>> two = SeededInputs.feeds(SPECS, 2, 1, 5);
        assertArrayEquals(three.get(1).get("x").floats(), two.get(1).get("x").floats());
        assertFalse(Arrays.equals(three.get(0).get("x").floats(), three.get(1).get("x").floats()));
    }

    @Test
    void refusesWhatCannotBeSeeded() {
        TensorSpec tokens = new TensorSpec("tokens", "float32", List.of(-1L, -1L, 8L));
        assertEquals("input 'tokens': dimension 1 of [-1, -1, 8] is dynamic; only a dynamic batch can be seeded, give the inputs explicitly",
                assertThrows(IllegalArgumentException.class, () -> SeededInputs.feed(List.of(tokens), 1, 0)).getMessage());
        assertEquals("seeded inputs: batch 0, expected 1 or more",
                assertThrows(IllegalArgumentException.class, () -> SeededInputs.feed(SPECS, 0, 0)).getMessage());
        assertEquals("seeded inputs: count 0, expected 1 or more",
                assertThrows(IllegalArgumentException.class, () -> SeededInputs.feeds(SPECS, 0, 1, 0)).getMessage());
    }
}
