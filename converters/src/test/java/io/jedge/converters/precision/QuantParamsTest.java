package io.jedge.converters.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantParamsTest {
    @Test
    void symmetricInt8IsAmaxOver127WithZeroPointZero() {
        QuantParams p = QuantParams.symmetricInt8(12.7f);
        assertEquals(12.7f / 127, p.scale());
        assertEquals(0, p.zeroPoint());
        assertEquals(QuantType.INT8, p.type());
        assertEquals(127, p.quantize(12.7f));
        assertEquals(-127, p.quantize(-12.7f));
    }

    @Test
    void zeroAmaxGivesScaleOne() {
        assertEquals(new QuantParams(1f, 0, QuantType.INT8), QuantParams.symmetricInt8(0f));
        assertEquals(new QuantParams(1f, 0, QuantType.UINT8), QuantParams.ofRange(0f, 0f, QuantType.UINT8, false, false));
    }

    @Test
    void quantizeRoundsHalfToEven() {
        QuantParams p = new QuantParams(1f, 0, QuantType.INT8);
        assertEquals(0, p.quantize(0.5f));
        assertEquals(2, p.quantize(1.5f));
        assertEquals(2, p.quantize(2.5f));
        assertEquals(4, p.quantize(3.5f));
        assertEquals(0, p.quantize(-0.5f));
        assertEquals(-2, p.quantize(-1.5f));
        assertEquals(-2, p.quantize(-2.5f));
        assertEquals(3, p.quantize(2.5000002f));
        QuantParams half = new QuantParams(0.5f, 10, QuantType.UINT8);
        assertEquals(10 + 2, half.quantize(1.25f / 1.25f)); // 1 / 0.5 = 2 exactly
        assertEquals(10 + 2, half.quantize(1.25f)); // 2.5 -> 2
        assertEquals(10 + 4, half.quantize(1.75f)); // 3.5 -> 4
    }

    @Test
    void quantizeSaturatesToTheTypeRange() {
        QuantParams s8 = QuantParams.symmetricInt8(1f);
        assertEquals(127, s8.quantize(5f));
        assertEquals(-128, s8.quantize(-5f), "QuantizeLinear saturates to the full int8 range");
        QuantParams u8 = new QuantParams(0.1f, 20, QuantType.UINT8);
        assertEquals(255, u8.quantize(1e6f));
        assertEquals(0, u8.quantize(-1e6f));
        assertEquals(20, u8.quantize(Float.NaN));
    }

    @Test
    void roundTripErrorIsAtMostHalfAScaleInsideTheRange() {
        Random r = new Random(1);
        float amax = 3.7f;
        QuantParams p = QuantParams.symmetricInt8(amax);
        QuantParams u = QuantParams.ofRange(-1.2f, amax, QuantType.UINT8, false, false);
        for (int i = 0; i < 100_000; i++) {
            float x = (float) (r.nextDouble() * 2 - 1) * amax;
            // float32 division and product add at most a couple of ulps on top of the half step
            assertTrue(Math.abs(p.fakeQuantize(x) - x) <= p.scale() / 2 + 2 * Math.ulp(amax), "int8 x=" + x);
            float y = -1.2f + (float) r.nextDouble() * (amax + 1.2f);
            assertTrue(Math.abs(u.fakeQuantize(y) - y) <= u.scale() / 2 + 2 * Math.ulp(amax), "uint8 y=" + y);
        }
    }

    @Test
    void asymmetricUint8FollowsOrtScaleAndZeroPoint() {
        QuantParams p = QuantParams.ofRange(-1f, 3f, QuantType.UINT8, false, false);
        assertEquals(4f / 255, p.scale());
        assertEquals(64, p.zeroPoint(), "round(0 + 1 / (4/255)) = round(63.75)");
        assertEquals(p.zeroPoint(), p.quantize(0f), "zero is exactly representable");
    }

    @Test
    void rangeIsWidenedToIncludeZero() {
        QuantParams positive = QuantParams.ofRange(2f, 6f, QuantType.UINT8, false, false);
        assertEquals(6f / 255, positive.scale());
        assertEquals(0, positive.zeroPoint());
        QuantParams negative = QuantParams.ofRange(-6f, -2f, QuantType.UINT8, false, false);
        assertEquals(255, negative.zeroPoint());
    }

    @Test
    void zeroPointRoundsHalfToEven() {
        // scale = 510 / 255 = 2 exactly, so -rmin / scale is an exact .5
        assertEquals(0, QuantParams.ofRange(-1f, 509f, QuantType.UINT8, false, false).zeroPoint());
        assertEquals(2, QuantParams.ofRange(-3f, 507f, QuantType.UINT8, false, false).zeroPoint());
        assertEquals(2, QuantParams.ofRange(-5f, 505f, QuantType.UINT8, false, false).zeroPoint());
        assertEquals(4, QuantParams.ofRange(-7f, 503f, QuantType.UINT8, false, false).zeroPoint());
    }

    @Test
    void symmetricAndReducedRanges() {
        QuantParams u8 = QuantParams.ofRange(-2f, 1f, QuantType.UINT8, true, false);
        assertEquals(4f / 255, u8.scale());
        assertEquals(128, u8.zeroPoint(), "round half to even of 127.5");
        QuantParams s8Reduced = QuantParams.ofRange(-1f, 6.4f, QuantType.INT8, true, true);
        assertEquals(6.4f / 64, s8Reduced.scale(), 1e-9);
        assertEquals(0, s8Reduced.zeroPoint());
        QuantParams u8Reduced = QuantParams.ofRange(0f, 12.7f, QuantType.UINT8, false, true);
        assertEquals(12.7f / 127, u8Reduced.scale(), 1e-9);
        QuantParams s8Asym = QuantParams.ofRange(-1f, 1.55f, QuantType.INT8, false, false);
        assertEquals(2.55f / 255, s8Asym.scale(), 1e-9);
        assertEquals(-28, s8Asym.zeroPoint(), "round(-128 + 1 / 0.01)");
    }

    @Test
    void calibratedRangeGivesBothProfiles() {
        CalibratedRange r = new CalibratedRange(4f, -10f, 2f, CalibrationMethod.PERCENTILE);
        assertEquals(QuantParams.symmetricInt8(4f), r.symmetricInt8());
        // clipped to [-4, 2]
        assertEquals(QuantParams.ofRange(-4f, 2f, QuantType.UINT8, false, false), r.asymmetric(QuantType.UINT8, false));
        CalibratedRange relu = new CalibratedRange(5f, 0f, 8f, CalibrationMethod.ENTROPY);
        assertTrue(relu.nonNegative());
        assertFalse(r.nonNegative());
        QuantParams u = relu.asymmetric(QuantType.UINT8, false);
        assertEquals(0, u.zeroPoint());
        assertEquals(5f / 255, u.scale());
    }

    @Test
    void invalidParametersNameTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new QuantParams(0f, 0, QuantType.INT8));
        assertTrue(e.getMessage().contains("scale 0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new QuantParams(1f, 300, QuantType.UINT8));
        assertTrue(e.getMessage().contains("300") && e.getMessage().contains("[0, 255]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuantParams.symmetricInt8(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> QuantParams.ofRange(2f, 1f, QuantType.INT8, false, false));
        e = assertThrows(IllegalArgumentException.class, () -> new CalibratedRange(9f, -1f, 2f, CalibrationMethod.MINMAX));
        assertTrue(e.getMessage().contains("amax 9.0"), e.getMessage());
    }
}
