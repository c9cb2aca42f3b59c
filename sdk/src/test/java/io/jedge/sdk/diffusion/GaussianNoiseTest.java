package io.jedge.sdk.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GaussianNoiseTest {

    @Test
    void uniformBitsAreTheSplitMix64ReferenceSequence() {
        // Published SplitMix64 outputs for seed 1234567 (Vigna's reference splitmix64.c).
        GaussianNoise g = new GaussianNoise(1234567);
        long[] expected = {6457827717110365317L, 3203168211198807973L, 0x883EBCE5A3F27C77L,
                4593380528125082431L, 0xE3B8346708CB5ECDL};
        assertEquals(Long.parseUnsignedLong("9817491932198370423"), expected[2]);
        assertEquals(Long.parseUnsignedLong("16408922859458223821"), expected[4]);
        for (long e : expected) {
            assertEquals(e, g.nextLong());
        }
    }

    @Test
    void gaussiansFollowBoxMullerOnTheUniforms() {
        GaussianNoise g = new GaussianNoise(7);
        GaussianNoise u = new GaussianNoise(7);
        double u1 = u.nextUniform();
        double u2 = u.nextUniform();
        double r = Math.sqrt(-2 * Math.log(1 - u1));
        assertEquals(r * Math.cos(2 * Math.PI * u2), g.nextGaussian(), 1e-12);
        assertEquals(r * Math.sin(2 * Math.PI * u2), g.nextGaussian(), 1e-12);
    }

    @Test
    void sameSeedSameNoiseDifferentSeedDifferentNoise() {
        float[] a = new float[1000];
        float[] b = new float[1000];
        float[] c = new float[1000];
        new GaussianNoise(42).fill(a);
        new GaussianNoise(42).fill(b);
        new GaussianNoise(43).fill(c);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        float[] s0 = new float[100];
        float[] s1 = new float[100];
        GaussianNoise.forStream(42, 0).fill(s0);
        GaussianNoise.forStream(42, 1).fill(s1);
        assertFalse(Arrays.equals(s0, s1));
    }

    @Test
    void momentsAreThoseOfAStandardNormal() {
        GaussianNoise g = new GaussianNoise(2024);
        int n = 200_000;
        double sum = 0;
        double sq = 0;
        double quad = 0;
        int beyond2 = 0;
        for (int i = 0; i < n; i++) {
            double x = g.nextGaussian();
            sum += x;
            sq += x * x;
            quad += x * x * x * x;
            if (Math.abs(x) > 2) {
                beyond2++;
            }
        }
        assertEquals(0, sum / n, 0.01);
        assertEquals(1, sq / n, 0.02);
        assertEquals(3, quad / n, 0.1);
        assertEquals(0.0455, (double) beyond2 / n, 0.003);
    }

    @Test
    void fillWithOffsetTouchesOnlyTheRange() {
        float[] out = new float[10];
        Arrays.fill(out, 9f);
        new GaussianNoise(1).fill(out, 3, 4);
        assertEquals(9f, out[2]);
        assertEquals(9f, out[7]);
        for (int i = 3; i < 7; i++) {
            assertTrue(out[i] != 9f);
        }
    }
}
