package io.jedge.converters.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizedWeightsTest {
    @Test
    void convWeightsAreScaledPerOutputChannel() {
        // [O=2, I=2, kh=1, kw=2]
        float[] w = {
            0.5f, -1f, 0.25f, 0.1f, // channel 0, max |w| = 1
            4f, -2f, 0f, 3f, // channel 1, max |w| = 4
        };
        QuantizedWeights q = QuantizedWeights.symmetricPerChannel(w, new long[] {2, 2, 1, 2}, WeightLayout.CONV.channelAxis(4));
        assertEquals(0, q.axis());
        assertArrayEquals(new float[] {1f / 127, 4f / 127}, q.scales());
        byte[] v = q.values();
        assertEquals(-127, v[1]);
        assertEquals(127, v[4]);
        assertEquals(Math.round(0.5f * 127), v[0]);
        assertEquals(0, v[6]);
        assertEquals((byte) Math.rint(3f / (4f / 127)), v[7]);
    }

    @Test
    void matMulWeightsAreScaledPerColumnAndNegativeAxesCountFromTheEnd() {
        // [K=3, N=2]
        float[] w = {1f, -10f, -2f, 5f, 0.5f, 2.5f};
        long[] shape = {3, 2};
        QuantizedWeights q = QuantizedWeights.symmetricPerChannel(w, shape, WeightLayout.MATMUL_B.channelAxis(2));
        assertEquals(1, q.axis());
        assertArrayEquals(new float[] {2f / 127, 10f / 127}, q.scales());
        assertEquals(-127, q.values()[2]);
        assertEquals(-127, q.values()[1]);
        QuantizedWeights negative = QuantizedWeights.symmetricPerChannel(w, shape, -1);
        assertEquals(1, negative.axis());
        assertArrayEquals(q.values(), negative.values());
        QuantizedWeights rows = QuantizedWeights.symmetricPerChannel(w, shape, 0);
        assertArrayEquals(new float[] {10f / 127, 5f / 127, 2.5f / 127}, rows.scales());
    }

    @Test
    void middleAxisOfARank3Weight() {
        // [2, 3, 2] along axis 1: channel c holds indices with (k / 2) % 3 == c
        float[] w = new float[12];
        for (int k = 0; k < 12; k++) {
            int c = (k / 2) % 3;
            w[k] = (c + 1) * (k % 2 == 0 ? 1f : -0.5f);
        }
        QuantizedWeights q = QuantizedWeights.symmetricPerChannel(Tensor.ofFloats(new long[] {2, 3, 2}, w), 1);
        assertArrayEquals(new float[] {1f / 127, 2f / 127, 3f / 127}, q.scales());
        for (int k = 0; k < 12; k += 2) {
            assertEquals(127, q.values()[k], "index " + k);
        }
        // -0.5·(c+1) is 63.5 steps: exactly half a step off the grid, rounded to even (-64)
        float[] back = q.dequantize();
        for (int k = 1; k < 12; k += 2) {
            assertEquals(-64, q.values()[k], "index " + k);
            assertEquals(w[k], back[k], q.scales()[(k / 2) % 3] / 2 + 1e-6f, "index " + k);
        }
    }

    @Test
    void allZeroChannelGetsScaleOne() {
        float[] w = {0f, 0f, 1f, -1f};
        QuantizedWeights q = QuantizedWeights.symmetricPerChannel(w, new long[] {2, 2}, 0);
        assertEquals(1f, q.scales()[0]);
        assertEquals(0, q.values()[0]);
        assertEquals(0f, q.dequantize()[1]);
    }

    @Test
    void roundTripErrorIsAtMostHalfTheChannelScale() {
        Random r = new Random(8);
        int o = 16;
        int inner = 3 * 3 * 3;
        float[] w = new float[o * inner];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * (1 + i / inner);
        }
        QuantizedWeights q = QuantizedWeights.symmetricPerChannel(w, new long[] {o, 3, 3, 3}, 0);
        float[] back = q.dequantize();
        float[] s = q.scales();
        for (int i = 0; i < w.length; i++) {
            float bound = s[i / inner] / 2 + 2 * Math.ulp(w[i]);
            assertTrue(Math.abs(back[i] - w[i]) <= bound, "index " + i + ": " + w[i] + " -> " + back[i]);
            assertTrue(q.values()[i] >= -127, "never -128");
        }
    }

    @Test
    void weightRoundingIsHalfToEven() {
        float[] w = {127f, 0.5f, 1.5f, 2.5f, -2.5f, -0.5f};
        QuantizedWeights q = QuantizedWeights.symmetricPerChannel(w, new long[] {1, 6}, 0);
        assertEquals(1f, q.scales()[0]);
        assertArrayEquals(new byte[] {127, 0, 2, 2, -2, 0}, q.values());
    }

    @Test
    void badInputsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizedWeights.symmetricPerChannel(new float[6], new long[] {2, 3}, 2));
        assertTrue(e.getMessage().contains("axis 2") && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> QuantizedWeights.symmetricPerChannel(new float[5], new long[] {2, 3}, 0));
        assertTrue(e.getMessage().contains("6") && e.getMessage().contains("5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> QuantizedWeights.symmetricPerChannel(new float[] {1f, Float.NaN}, new long[] {2, 1}, 0));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("channel 1"), e.getMessage());
    }

    @Test
    void layoutsPickTheOutputChannelAxis() {
        assertEquals(0, WeightLayout.CONV.channelAxis(4));
        assertEquals(1, WeightLayout.CONV_TRANSPOSE.channelAxis(4));
        assertEquals(1, WeightLayout.MATMUL_B.channelAxis(2));
        assertEquals(2, WeightLayout.MATMUL_B.channelAxis(3));
        assertEquals(1, WeightLayout.GEMM_B.channelAxis(2));
        assertEquals(0, WeightLayout.GEMM_B_TRANSPOSED.channelAxis(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightLayout.GEMM_B.channelAxis(3));
        assertTrue(e.getMessage().contains("rank 3") && e.getMessage().contains("expected rank 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WeightLayout.CONV.channelAxis(2));
    }
}
