package io.jedge.sdk.diffusion;

/**
 * Euler in sigma space (Karras et al. 2022, Algorithm 2 without churn; diffusers' EulerDiscrete),
 * and its ancestral variant (k-diffusion's sample_euler_ancestral) when {@code eta > 0}.
 * The sample lives at scale {@code x = x0 + sigma eps}; {@code sigma_t = sqrt((1 - a) / a)},
 * with a final sigma of 0. The denoiser sees {@code x / sqrt(sigma^2 + 1)}, its training scale.
 */
final class EulerScheduler extends BaseScheduler {
    private final double eta;
    private final double[] sigmas;
    private float[] noiseBuffer;

    EulerScheduler(NoiseSchedule schedule, long[] timesteps, PredictionType prediction, double eta) {
        super(schedule, timesteps, prediction);
        this.eta = eta;
        this.sigmas = new double[timesteps.length + 1];
        for (int i = 0; i < timesteps.length; i++) {
            sigmas[i] = schedule.sigma((int) timesteps[i]);
        }
    }

    @Override
    public double initNoiseSigma() {
        // The exact std of x_T at this scale; diffusers uses sigma_max for some spacings, which
        // differs by under 0.1% at T = 1000.
        return Math.sqrt(sigmas[0] * sigmas[0] + 1);
    }

    @Override
    public double modelInputScale(int stepIndex) {
        checkIndex(stepIndex);
        double s = sigmas[stepIndex];
        return 1.0 / Math.sqrt(s * s + 1);
    }

    @Override
    public void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        beginStep(modelOutput, stepIndex, sample);
        double sigma = sigmas[stepIndex];
        double next = sigmas[stepIndex + 1];
        double target = next;
        double up = 0;
        if (eta > 0) {
            up = Math.min(next, eta * Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma)));
            target = Math.sqrt(next * next - up * up);
        }
        float[] z = null;
        if (up > 0) {
            if (noiseBuffer == null || noiseBuffer.length != sample.length) {
                noiseBuffer = new float[sample.length];
            }
            requireNoise(noise, "Euler ancestral").fill(noiseBuffer);
            z = noiseBuffer;
        }
        double s2 = sigma * sigma + 1;
        double vScale = -sigma / Math.sqrt(s2);
        double dt = target - sigma;
        for (int i = 0; i < sample.length; i++) {
            double x = sample[i];
            double m = modelOutput[i];
            double x0 = prediction == PredictionType.EPSILON ? x - sigma * m : m * vScale + x / s2;
            double derivative = (x - x0) / sigma;
            double out = x + derivative * dt;
            if (z != null) {
                out += z[i] * up;
            }
            sample[i] = (float) out;
        }
    }
}
