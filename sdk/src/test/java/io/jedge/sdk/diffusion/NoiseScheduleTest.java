package io.jedge.sdk.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoiseScheduleTest {

    @Test
    void linearBetasAreEvenlySpacedAndCumprodMatchesAProductLoop() {
        NoiseSchedule s = NoiseSchedule.linear(1000, 1e-4, 0.02);
        assertEquals(1000, s.trainSteps());
        assertEquals(1e-4, s.beta(0), 1e-15);
        assertEquals(0.02, s.beta(999), 1e-15);
        assertEquals(1e-4 + 500 * (0.02 - 1e-4) / 999, s.beta(500), 1e-15);
        double prod = 1;
        for (int t = 0; t < 1000; t++) {
            prod *= 1 - (1e-4 + t * (0.02 - 1e-4) / 999);
            assertEquals(prod, s.alphaCumprod(t), 1e-12 * Math.max(1, prod));
        }
        // DDPM's well-known final signal level, alphaBar_T ~= 4.04e-5 (sqrt ~= 0.00635).
        assertEquals(4.0358e-5, s.alphaCumprod(999), 1e-8);
        assertEquals(s, NoiseSchedule.defaultLinear());
    }

    @Test
    void scaledLinearSquaresALinspaceOfRoots() {
        NoiseSchedule s = NoiseSchedule.scaledLinear(1000, 0.00085, 0.012);
        double r0 = Math.sqrt(0.00085);
        double r1 = Math.sqrt(0.012);
        for (int t : new int[] {0, 1, 333, 998, 999}) {
            double r = r0 + t * (r1 - r0) / 999;
            assertEquals(r * r, s.beta(t), 1e-15);
        }
        // Stable Diffusion's final alphaBar ~= 0.00466.
        assertEquals(0.0046601, s.alphaCumprod(999), 1e-6);
    }

    @Test
    void cosineTelescopesToTheAlphaBarFunctionAndCapsBetas() {
        int T = 1000;
        NoiseSchedule s = NoiseSchedule.cosine(T);
        // Uncapped betas make prod(1 - beta) telescope to f(t+1/T) / f(0).
        for (int t : new int[] {0, 10, 500, 900}) {
            double f = Math.pow(Math.cos(((t + 1.0) / T + 0.008) / 1.008 * Math.PI / 2), 2);
            double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
            assertEquals(f / f0, s.alphaCumprod(t), 1e-9);
        }
        assertEquals(0.999, s.beta(T - 1), 0.0);
        for (double b : s.betas()) {
            assertTrue(b > 0 && b <= 0.999, "beta " + b);
        }
    }

    @Test
    void sigmaIsTheNoiseToSignalRatio() {
        NoiseSchedule s = NoiseSchedule.fromBetas(new double[] {0.1, 0.2, 0.3});
        double a2 = 0.9 * 0.8 * 0.7;
        assertEquals(a2, s.alphaCumprod(2), 1e-15);
        assertEquals(Math.sqrt((1 - a2) / a2), s.sigma(2), 1e-15);
    }

    @Test
    void rejectsBadInputsNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(10, 0.2, 0.1));
        assertTrue(e.getMessage().contains("0.2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(0, 1e-4, 0.02));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.fromBetas(new double[] {0.1, 1.0}));
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.defaultLinear().alphaCumprod(1000));
        assertTrue(t.getMessage().contains("1000"), t.getMessage());
    }
}
