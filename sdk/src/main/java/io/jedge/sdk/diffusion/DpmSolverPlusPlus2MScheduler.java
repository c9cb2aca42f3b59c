package io.jedge.sdk.diffusion;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2, midpoint form as in diffusers'
 * DPMSolverMultistepScheduler). With {@code alpha_t = sqrt(a)}, {@code sigma_t = sqrt(1 - a)},
 * {@code lambda = log(alpha_t / sigma_t)}, {@code h = lambda_t - lambda_s} and the data prediction
 * {@code D}: first order {@code x_t = (sigma_t / sigma_s) x - alpha_t (e^-h - 1) D0};
 * second order adds {@code - 0.5 alpha_t (e^-h - 1) (D0 - D1) / r} with
 * {@code r = (lambda_s - lambda_prev) / h}. The first step and the last (to sigma 0) are first order.
 */
final class DpmSolverPlusPlus2MScheduler extends BaseScheduler {
    private float[] current;
    private float[] previous;

    DpmSolverPlusPlus2MScheduler(NoiseSchedule schedule, long[] timesteps, PredictionType prediction) {
        super(schedule, timesteps, prediction);
    }

    private double lambdaAt(int i) {
        double a = alphaBarAt(i);
        return 0.5 * Math.log(a / (1 - a));
    }

    @Override
    public void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        beginStep(modelOutput, stepIndex, sample);
        int n = sample.length;
        if (current == null || current.length != n) {
            current = new float[n];
            previous = new float[n];
        }
        double a = alphaBarAt(stepIndex);
        double alphaS = Math.sqrt(a);
        double sigmaS = Math.sqrt(1 - a);
        for (int i = 0; i < n; i++) {
            double x = sample[i];
            double m = modelOutput[i];
            current[i] = (float) (prediction == PredictionType.EPSILON ? (x - sigmaS * m) / alphaS : alphaS * x - sigmaS * m);
        }
        boolean last = stepIndex == timesteps.length - 1;
        if (last) {
            // Final sigma is 0: lambda is infinite, e^-h = 0 and x_0 = D0.
            System.arraycopy(current, 0, sample, 0, n);
        } else {
            double aNext = alphaBarAt(stepIndex + 1);
            double alphaT = Math.sqrt(aNext);
            double sigmaT = Math.sqrt(1 - aNext);
            double lambdaS = lambdaAt(stepIndex);
            double h = lambdaAt(stepIndex + 1) - lambdaS;
            double ratio = sigmaT / sigmaS;
            double k = -alphaT * Math.expm1(-h); // -alpha_t (e^-h - 1)
            if (stepIndex == 0) {
                for (int i = 0; i < n; i++) {
                    sample[i] = (float) (ratio * sample[i] + k * current[i]);
                }
            } else {
                double r = (lambdaS - lambdaAt(stepIndex - 1)) / h;
                double k1 = 0.5 * k / r;
                for (int i = 0; i < n; i++) {
                    double d0 = current[i];
                    sample[i] = (float) (ratio * sample[i] + k * d0 + k1 * (d0 - previous[i]));
                }
            }
        }
        float[] t = previous;
        previous = current;
        current = t;
    }
}
