package io.jedge.sdk.diffusion;

/**
 * How {@code N} inference timesteps are picked from {@code T} training timesteps, as diffusers'
 * {@code timestep_spacing} does in its DDIM scheduler. Timesteps are integers, descending.
 *
 * <p>{@link #TRAILING} is this SDK's default: it always starts at {@code T-1}, so the first step
 * sees the pure-noise level the sampler starts from (Lin et al., "Common Diffusion Noise Schedules
 * and Sample Steps are Flawed"); {@link #LEADING} (diffusers' DDIM default) starts at {@code T - T/N}.
 *
 * <p>Every scheduler here uses these same integer timesteps. Two diffusers schedulers differ
 * slightly for {@link #LINSPACE}: EulerDiscrete keeps the fractional values (interpolating sigma),
 * and DPMSolverMultistep takes {@code N+1} points and drops the last.
 */
public enum TimestepSpacing {
    /** {@code (arange(N) * (T / N))[::-1] + offset}, integer step ratio: 1000/10 → 900, 800, ..., 0. */
    LEADING,
    /** {@code round(arange(T, 0, -T / N)) - 1}, real step ratio: 1000/10 → 999, 899, ..., 99. */
    TRAILING,
    /** {@code round(linspace(0, T - 1, N))[::-1]}: 1000/10 → 999, 888, ..., 0. */
    LINSPACE;

    /**
     * The {@code steps} timesteps, descending, each in {@code [0, trainSteps-1]}.
     *
     * @param stepsOffset added to every timestep for {@link #LEADING} only (Stable Diffusion uses 1)
     */
    public long[] timesteps(int trainSteps, int steps, int stepsOffset) {
        if (steps < 1 || steps > trainSteps) {
            throw new IllegalArgumentException(
                    "inference steps: " + steps + ", expected 1.." + trainSteps + " (the schedule's training steps)");
        }
        long[] out = new long[steps];
        switch (this) {
            case LEADING -> {
                int ratio = trainSteps / steps;
                for (int i = 0; i < steps; i++) {
                    out[i] = (long) (steps - 1 - i) * ratio + stepsOffset;
                }
            }
            case TRAILING -> {
                double ratio = (double) trainSteps / steps;
                for (int i = 0; i < steps; i++) {
                    // Math.rint rounds half to even, as numpy's round does.
                    out[i] = (long) Math.rint(trainSteps - i * ratio) - 1;
                }
            }
            case LINSPACE -> {
                for (int i = 0; i < steps; i++) {
                    double v = steps == 1 ? 0.0 : (double) (trainSteps - 1) * (steps - 1 - i) / (steps - 1);
                    out[i] = (long) Math.rint(v);
                }
            }
        }
        for (int i = 0; i < steps; i++) {
            if (out[i] < 0 || out[i] >= trainSteps || (i > 0 && out[i] >= out[i - 1])) {
                throw new IllegalArgumentException(this + " spacing with " + steps + " steps, offset " + stepsOffset
                        + " gives timestep " + out[i] + " at step " + i
                        + ", expected strictly descending values in [0, " + (trainSteps - 1) + "]");
            }
        }
        return out;
    }
}
