package io.jedge.sdk.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Each step against the published update, re-derived here in a different algebraic form from the
 * implementation, over a 10-step schedule whose alphaBar this test computes itself.
 */
class SchedulerStepTest {
    private static final double[] BETAS = {0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5};
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.fromBetas(BETAS);
    /** Trailing spacing of 5 steps over 10: 9, 7, 5, 3, 1. */
    private static final long[] TS = {9, 7, 5, 3, 1};
    private static final float[] X = {0.8f, -1.2f, 0.1f, 2.0f};
    private static final float[] E0 = {0.3f, -0.7f, 1.1f, 0.05f};
    private static final float[] E1 = {-0.2f, 0.4f, 0.9f, -1.3f};
    private static final float[] Z = {0.5f, -1.5f, 0.25f, 1.0f};

    private static double alphaBar(long t) {
        double p = 1;
        for (int i = 0; i <= t; i++) {
            p *= 1 - BETAS[i];
        }
        return p;
    }

    private static Scheduler create(SchedulerConfig c) {
        Scheduler s = c.create(SCHEDULE, 5);
        assertArrayEquals(TS, s.timesteps());
        return s;
    }

    private static NoiseSource fixed(float[] z) {
        return out -> System.arraycopy(z, 0, out, 0, out.length);
    }

    private static void assertClose(double[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void ddimEtaZeroFollowsTheOdeForm() {
        Scheduler s = create(SchedulerConfig.of(SchedulerKind.DDIM));
        assertEquals(1.0, s.initNoiseSigma());
        assertEquals(1.0, s.modelInputScale(0));
        float[] x = X.clone();
        s.step(E0, 0, x, null);
        // Song et al. eq. 13: x'/sqrt(a') = x/sqrt(a) + (sqrt((1-a')/a') - sqrt((1-a)/a)) eps.
        double a = alphaBar(9);
        double ap = alphaBar(7);
        double[] want = new double[4];
        for (int i = 0; i < 4; i++) {
            want[i] = Math.sqrt(ap) * (X[i] / Math.sqrt(a) + (Math.sqrt((1 - ap) / ap) - Math.sqrt((1 - a) / a)) * E0[i]);
        }
        assertClose(want, x);
    }

    @Test
    void ddimWithEtaAddsTheDdpmPosteriorNoise() {
        double eta = 0.5;
        Scheduler s = create(SchedulerConfig.builder().kind(SchedulerKind.DDIM).eta(eta).build());
        float[] x = X.clone();
        s.step(E0, 0, x, fixed(Z));
        double a = alphaBar(9);
        double ap = alphaBar(7);
        double sigma2 = eta * eta * (1 - ap) / (1 - a) * (1 - a / ap);
        double[] want = new double[4];
        for (int i = 0; i < 4; i++) {
            double x0 = (X[i] - Math.sqrt(1 - a) * E0[i]) / Math.sqrt(a);
            want[i] = Math.sqrt(ap) * x0 + Math.sqrt(1 - ap - sigma2) * E0[i] + Math.sqrt(sigma2) * Z[i];
        }
        assertClose(want, x);
    }

    @Test
    void ddimVPredictionConvertsToDataAndNoise() {
        Scheduler s = create(SchedulerConfig.builder().kind(SchedulerKind.DDIM).predictionType(PredictionType.V_PREDICTION).build());
        float[] x = X.clone();
        s.step(E0, 0, x, null);
        double a = alphaBar(9);
        double ap = alphaBar(7);
        double[] want = new double[4];
        for (int i = 0; i < 4; i++) {
            // v = alpha eps - sigma x0 and x = alpha x0 + sigma eps, solved for x0 and eps.
            double al = Math.sqrt(a);
            double si = Math.sqrt(1 - a);
            double x0 = al * X[i] - si * E0[i];
            double eps = (X[i] - al * x0) / si;
            want[i] = Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * eps;
        }
        assertClose(want, x);
    }

    @Test
    void ddimLastStepGoesToAlphaOneOrAlphaZero() {
        for (boolean one : new boolean[] {true, false}) {
            Scheduler s = create(SchedulerConfig.builder().kind(SchedulerKind.DDIM).setAlphaToOne(one).build());
            float[] x = X.clone();
            for (int i = 0; i < 4; i++) {
                s.step(E0, i, x, null);
            }
            float[] before = x.clone();
            s.step(E1, 4, x, null);
            double a = alphaBar(1);
            double ap = one ? 1.0 : 1 - BETAS[0];
            double[] want = new double[4];
            for (int i = 0; i < 4; i++) {
                double x0 = (before[i] - Math.sqrt(1 - a) * E1[i]) / Math.sqrt(a);
                want[i] = Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * E1[i];
            }
            assertClose(want, x);
        }
    }

    @Test
    void eulerMovesAlongTheNoiseDirectionInSigmaSpace() {
        Scheduler s = create(SchedulerConfig.of(SchedulerKind.EULER));
        double sig0 = Math.sqrt((1 - alphaBar(9)) / alphaBar(9));
        double sig1 = Math.sqrt((1 - alphaBar(7)) / alphaBar(7));
        assertEquals(Math.sqrt(sig0 * sig0 + 1), s.initNoiseSigma(), 1e-12);
        // The denoiser sees x / sqrt(sigma^2 + 1) = sqrt(alphaBar) x.
        assertEquals(Math.sqrt(alphaBar(9)), s.modelInputScale(0), 1e-12);
        float[] x = X.clone();
        s.step(E0, 0, x, null);
        // For epsilon prediction the Euler derivative (x - x0) / sigma is eps itself.
        double[] want = new double[4];
        for (int i = 0; i < 4; i++) {
            want[i] = X[i] + (sig1 - sig0) * E0[i];
        }
        assertClose(want, x);
    }

    @Test
    void eulerVPredictionAndFinalStepToSigmaZero() {
        Scheduler s = create(SchedulerConfig.builder().kind(SchedulerKind.EULER).predictionType(PredictionType.V_PREDICTION).build());
        float[] x = X.clone();
        s.step(E0, 0, x, null);
        double a = alphaBar(9);
        double sig0 = Math.sqrt((1 - a) / a);
        double sig1 = Math.sqrt((1 - alphaBar(7)) / alphaBar(7));
        double[] want = new double[4];
        for (int i = 0; i < 4; i++) {
            double xVp = X[i] * Math.sqrt(a);
            double x0 = Math.sqrt(a) * xVp - Math.sqrt(1 - a) * E0[i];
            want[i] = x0 + sig1 / sig0 * (X[i] - x0);
        }
        assertClose(want, x);

        Scheduler e = create(SchedulerConfig.of(SchedulerKind.EULER));
        float[] y = X.clone();
        for (int i = 0; i < 4; i++) {
            e.step(E0, i, y, null);
        }
        float[] before = y.clone();
        e.step(E1, 4, y, null);
        double sLast = Math.sqrt((1 - alphaBar(1)) / alphaBar(1));
        double[] last = new double[4];
        for (int i = 0; i < 4; i++) {
            last[i] = before[i] - sLast * E1[i];
        }
        assertClose(last, y);
    }

    @Test
    void eulerAncestralSplitsTheStepIntoDownAndUp() {
        Scheduler s = create(SchedulerConfig.of(SchedulerKind.EULER_ANCESTRAL));
        assertEquals(1.0, SchedulerConfig.of(SchedulerKind.EULER_ANCESTRAL).eta());
        float[] x = X.clone();
        s.step(E0, 0, x, fixed(Z));
        double sig0 = Math.sqrt((1 - alphaBar(9)) / alphaBar(9));
        double sig1 = Math.sqrt((1 - alphaBar(7)) / alphaBar(7));
        // sigma_down = sigma_next^2 / sigma and sigma_up^2 = sigma_next^2 - sigma_down^2.
        double down = sig1 * sig1 / sig0;
        double up = Math.sqrt(sig1 * sig1 - down * down);
        double[] want = new double[4];
        for (int i = 0; i < 4; i++) {
            want[i] = X[i] + (down - sig0) * E0[i] + up * Z[i];
        }
        assertClose(want, x);
    }

    @Test
    void dpmSolverPlusPlus2MIsFirstOrderThenSecondOrderThenExactAtSigmaZero() {
        Scheduler s = create(SchedulerConfig.of(SchedulerKind.DPM_SOLVER_PP_2M));
        assertEquals(1.0, s.initNoiseSigma());
        float[] x = X.clone();
        s.step(E0, 0, x, null);
        double[] al = new double[TS.length];
        double[] si = new double[TS.length];
        double[] la = new double[TS.length];
        for (int i = 0; i < TS.length; i++) {
            al[i] = Math.sqrt(alphaBar(TS[i]));
            si[i] = Math.sqrt(1 - alphaBar(TS[i]));
            la[i] = Math.log(al[i] / si[i]);
        }
        double[] d0 = new double[4];
        double[] afterFirst = new double[4];
        for (int i = 0; i < 4; i++) {
            d0[i] = (X[i] - si[0] * E0[i]) / al[0];
            // First order DPM-Solver++ is DDIM: alpha' x0 + sigma' eps.
            afterFirst[i] = al[1] * d0[i] + si[1] * (X[i] - al[0] * d0[i]) / si[0];
        }
        assertClose(afterFirst, x);

        float[] x1 = x.clone();
        s.step(E1, 1, x, null);
        // Lu et al. 2022, Algorithm 2 (2M): D = (1 + 1/(2r)) x0_i - 1/(2r) x0_{i-1}, r = h_{i-1} / h_i.
        double h = la[2] - la[1];
        double r = (la[1] - la[0]) / h;
        double[] want = new double[4];
        for (int i = 0; i < 4; i++) {
            double d1 = (x1[i] - si[1] * E1[i]) / al[1];
            double d = (1 + 1 / (2 * r)) * d1 - 1 / (2 * r) * d0[i];
            want[i] = si[2] / si[1] * x1[i] - al[2] * (Math.exp(-h) - 1) * d;
        }
        assertClose(want, x);

        s.step(E0, 2, x, null);
        s.step(E1, 3, x, null);
        float[] x4 = x.clone();
        s.step(E0, 4, x, null);
        double[] last = new double[4];
        for (int i = 0; i < 4; i++) {
            last[i] = (x4[i] - si[4] * E0[i]) / al[4];
        }
        assertClose(last, x);
    }

    @Test
    void stepsMustRunInOrderAndStochasticStepsNeedNoise() {
        Scheduler s = create(SchedulerConfig.of(SchedulerKind.DPM_SOLVER_PP_2M));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.step(E0, 1, X.clone(), null));
        assertEquals(true, e.getMessage().contains("expected step 0"), e.getMessage());
        Scheduler a = create(SchedulerConfig.of(SchedulerKind.EULER_ANCESTRAL));
        assertThrows(IllegalArgumentException.class, () -> a.step(E0, 0, X.clone(), null));
        Scheduler d = create(SchedulerConfig.of(SchedulerKind.DDIM));
        assertThrows(IllegalArgumentException.class, () -> d.step(new float[3], 0, X.clone(), null));
        assertThrows(IllegalArgumentException.class,
                () -> SchedulerConfig.builder().kind(SchedulerKind.DPM_SOLVER_PP_2M).eta(0.5).build());
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.builder().kind(SchedulerKind.DDIM).eta(1.5).build());
    }
}
