package io.jedge.sdk.diffusion;

/**
 * DDIM (Song, Meng and Ermon 2021, eq. 12): with {@code a = alphaBar_t}, {@code a' = alphaBar_prev},
 * {@code x' = sqrt(a') x0 + sqrt(1 - a' - s^2) eps + s z},
 * {@code s = eta sqrt((1 - a') / (1 - a)) sqrt(1 - a / a')}.
 * The previous timestep is the next one in the list, not {@code t - T/N}, so every spacing works.
 */
final class DdimScheduler extends BaseScheduler {
    private final double eta;
    private final double finalAlphaBar;
    private float[] noiseBuffer;

    DdimScheduler(NoiseSchedule schedule, long[] timesteps, PredictionType prediction, double eta, boolean setAlphaToOne) {
        super(schedule, timesteps, prediction);
        this.eta = eta;
        this.finalAlphaBar = setAlphaToOne ? 1.0 : schedule.alphaCumprod(0);
    }

    @Override
    public void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        beginStep(modelOutput, stepIndex, sample);
        double a = alphaBarAt(stepIndex);
        double aPrev = stepIndex + 1 < timesteps.length ? alphaBarAt(stepIndex + 1) : finalAlphaBar;
        double sa = Math.sqrt(a);
        double s1a = Math.sqrt(1 - a);
        double variance = (1 - aPrev) / (1 - a) * (1 - a / aPrev);
        double std = eta * Math.sqrt(Math.max(variance, 0));
        double dir = Math.sqrt(Math.max(1 - aPrev - std * std, 0));
        double saPrev = Math.sqrt(aPrev);
        float[] z = null;
        if (std > 0) {
            if (noiseBuffer == null || noiseBuffer.length != sample.length) {
                noiseBuffer = new float[sample.length];
            }
            requireNoise(noise, "DDIM with eta " + eta).fill(noiseBuffer);
            z = noiseBuffer;
        }
        for (int i = 0; i < sample.length; i++) {
            double x = sample[i];
            double m = modelOutput[i];
            double x0;
            double eps;
            if (prediction == PredictionType.EPSILON) {
                eps = m;
                x0 = (x - s1a * eps) / sa;
            } else {
                x0 = sa * x - s1a * m;
                eps = sa * m + s1a * x;
            }
            double prev = saPrev * x0 + dir * eps;
            if (z != null) {
                prev += std * z[i];
            }
            sample[i] = (float) prev;
        }
    }
}
