package io.jedge.runtime.backend.trt.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.trt.build.ProfilePlan.InputProfile;
import io.jedge.runtime.backend.trt.build.ProfilePlan.NetworkInput;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfilePlanTest {
    private static final TrtBuildOptions B1_8_32 = TrtBuildOptions.builder().batch("1:8:32").build();

    @Test
    void everyDynamicBatchInputGetsTheRange() {
        List<InputProfile> p = ProfilePlan.plan("m.onnx", List.of(new NetworkInput("pixels", new long[] {-1, 3, 224, 224}),
                new NetworkInput("mask", new long[] {-1, 196}), new NetworkInput("scale", new long[] {1})), B1_8_32);
        assertEquals(2, p.size());
        assertEquals("pixels", p.get(0).name());
        assertArrayEquals(new long[] {1, 3, 224, 224}, p.get(0).min());
        assertArrayEquals(new long[] {8, 3, 224, 224}, p.get(0).opt());
        assertArrayEquals(new long[] {32, 3, 224, 224}, p.get(0).max());
        assertArrayEquals(new long[] {32, 196}, p.get(1).max());
    }

    @Test
    void dynamicNonBatchDimensionIsRejected() {
        String m = assertThrows(IllegalArgumentException.class, () -> ProfilePlan.plan("m.onnx",
                List.of(new NetworkInput("pixels", new long[] {-1, 3, -1, -1})), B1_8_32)).getMessage();
        assertTrue(m.startsWith("m.onnx: input 'pixels' has shape [?,3,?,?], dynamic in dimension 2"), m);
    }

    @Test
    void staticModelNeedsBatchOne() {
        List<NetworkInput> fixed = List.of(new NetworkInput("pixels", new long[] {1, 3, 224, 224}));
        assertTrue(ProfilePlan.plan("m.onnx", fixed, TrtBuildOptions.defaults()).isEmpty());
        String m = assertThrows(IllegalArgumentException.class, () -> ProfilePlan.plan("m.onnx", fixed, B1_8_32)).getMessage();
        assertTrue(m.contains("batch 1:8:32 needs a dynamic batch dimension") && m.contains("pixels[1,3,224,224]"), m);
    }
}
