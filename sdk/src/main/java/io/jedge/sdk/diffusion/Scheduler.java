package io.jedge.sdk.diffusion;

/**
 * One sampling run's scheduler: the inference timesteps and the update from the sample at one
 * timestep to the next. Samples are flat float arrays in the denoiser's latent layout; the update
 * is element-wise, so any shape works.
 *
 * <p>Schedulers are stateful (multistep methods remember earlier predictions): make one per run with
 * {@link SchedulerConfig#create}, call {@link #step} once for each index {@code 0..steps()-1} in
 * order, and do not share an instance between threads.
 *
 * <pre>{@code
 * Scheduler s = SchedulerConfig.of(SchedulerKind.DDIM).create(NoiseSchedule.defaultLinear(), 25);
 * float[] x = new float[n];
 * new GaussianNoise(seed).fill(x);
 * for (int i = 0; i < n; i++) x[i] *= (float) s.initNoiseSigma();
 * float[] in = new float[n];
 * for (int i = 0; i < s.steps(); i++) {
 *     s.scaleModelInput(x, i, in);
 *     float[] eps = model(in, s.timesteps()[i]);
 *     s.step(eps, i, x, noise);
 * }
 * // x now holds the denoised latents
 * }</pre>
 */
public interface Scheduler {
    /** The inference timesteps, descending; step {@code i} denoises at {@code timesteps()[i]}. A copy. */
    long[] timesteps();

    /** Number of inference steps. */
    int steps();

    /** Standard deviation of the starting latents: fill them with N(0,1) noise times this. */
    double initNoiseSigma();

    /** The factor the sample is multiplied by before the denoiser sees it at step {@code stepIndex}. */
    double modelInputScale(int stepIndex);

    /** Writes {@code sample * modelInputScale(stepIndex)} into {@code out} ({@code out} may be {@code sample}). */
    default void scaleModelInput(float[] sample, int stepIndex, float[] out) {
        if (out.length != sample.length) {
            throw new IllegalArgumentException("model input buffer: " + out.length + " elements, expected " + sample.length);
        }
        float k = (float) modelInputScale(stepIndex);
        for (int i = 0; i < sample.length; i++) {
            out[i] = sample[i] * k;
        }
    }

    /**
     * Advances {@code sample}, in place, from {@code timesteps()[stepIndex]} to the next timestep;
     * after the last step it holds the clean sample.
     *
     * @param modelOutput the denoiser's prediction for the scaled sample (noise or velocity, see {@link PredictionType})
     * @param stepIndex   the step being taken; must be the one after the previous call's
     * @param noise       source of fresh noise for stochastic samplers; may be {@code null} for deterministic ones
     * @throws IllegalStateException if steps are taken out of order
     */
    void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise);
}
