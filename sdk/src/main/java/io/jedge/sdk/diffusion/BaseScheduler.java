package io.jedge.sdk.diffusion;

/** Timesteps, step-order checking, buffer checks and the unscaled-sample defaults shared by the schedulers. */
abstract class BaseScheduler implements Scheduler {
    final NoiseSchedule schedule;
    final long[] timesteps;
    final PredictionType prediction;
    private int nextStep;

    BaseScheduler(NoiseSchedule schedule, long[] timesteps, PredictionType prediction) {
        this.schedule = schedule;
        this.timesteps = timesteps;
        this.prediction = prediction;
    }

    @Override
    public final long[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public final int steps() {
        return timesteps.length;
    }

    /** 1: the samplers that work on the unscaled sample (DDIM, DPM-Solver++); Euler's sigma-space overrides it. */
    @Override
    public double initNoiseSigma() {
        return 1.0;
    }

    /** 1 at every step, as {@link #initNoiseSigma()}. */
    @Override
    public double modelInputScale(int stepIndex) {
        checkIndex(stepIndex);
        return 1.0;
    }

    /** alphaBar at inference step {@code i}. */
    final double alphaBarAt(int i) {
        return schedule.alphaCumprod((int) timesteps[i]);
    }

    final void checkIndex(int stepIndex) {
        if (stepIndex < 0 || stepIndex >= timesteps.length) {
            throw new IllegalArgumentException("step index " + stepIndex + ", expected 0.." + (timesteps.length - 1));
        }
    }

    /** Checks the call order and buffer sizes before a step; advances the expected step. */
    final void beginStep(float[] modelOutput, int stepIndex, float[] sample) {
        checkIndex(stepIndex);
        if (stepIndex != nextStep) {
            throw new IllegalStateException(getClass().getSimpleName() + ": step " + stepIndex
                    + " taken, expected step " + nextStep + " (steps run once each, in order)");
        }
        if (modelOutput.length != sample.length) {
            throw new IllegalArgumentException("model output: " + modelOutput.length
                    + " elements, expected " + sample.length + " (the sample's)");
        }
        nextStep++;
    }

    static NoiseSource requireNoise(NoiseSource noise, String who) {
        if (noise == null) {
            throw new IllegalArgumentException(who + " adds noise each step, but no NoiseSource was given");
        }
        return noise;
    }
}
