package io.jedge.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Float16Test {
    private static int bits(float f) {
        return Float16.fromFloat(f) & 0xffff;
    }

    @Test
    void knownEncodings() {
        assertEquals(0x3c00, bits(1f));
        assertEquals(0xc000, bits(-2f));
        assertEquals(0x0000, bits(0f));
        assertEquals(0x8000, bits(-0f));
        assertEquals(0x7bff, bits(65504f));
        assertEquals(0x7c00, bits(70000f));
        assertEquals(0x7c00, bits(Float.POSITIVE_INFINITY));
        assertEquals(0x0001, bits(0x1p-24f));       // smallest subnormal
        assertEquals(0x0400, bits(0x1p-14f));       // smallest normal
        assertEquals(0x0000, bits(1e-9f));
        assertEquals(0x3555, bits(1f / 3f));
        assertTrue((bits(Float.NaN) & 0x7c00) == 0x7c00 && (bits(Float.NaN) & 0x3ff) != 0);
    }

    @Test
    void roundsToNearestEven() {
        assertEquals(0x3c00, bits(1f + 0x1p-11f)); // halfway between 1 and 1+2^-10: even is 1
        assertEquals(0x3c02, bits(1f + 3 * 0x1p-11f)); // halfway, rounds up to the even mantissa
    }

    @Test
    void roundTripsEveryHalf() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Float16.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(((h >> 10) & 0x1f) == 0x1f && (h & 0x3ff) != 0);
                continue;
            }
            assertEquals(h, bits(f), "half 0x" + Integer.toHexString(h) + " -> " + f);
        }
    }
}
