package io.jedge.sdk.diffusion;

import java.util.Objects;

/**
 * Which sampler to run and how; immutable and checked on construction; built with {@link #builder()}.
 *
 * <p>Defaults: DPM-Solver++(2M), epsilon prediction, {@link TimestepSpacing#TRAILING} spacing,
 * steps offset 0, eta 0 for DDIM and 1 for Euler ancestral, and DDIM's last step going to
 * {@code alphaBar = 1} (diffusers' {@code set_alpha_to_one}).
 *
 * @param kind           the sampling algorithm
 * @param predictionType what the denoiser predicts
 * @param spacing        how inference timesteps are picked
 * @param stepsOffset    added to {@link TimestepSpacing#LEADING} timesteps (Stable Diffusion: 1)
 * @param eta            stochasticity of DDIM (0 deterministic, 1 DDPM-like) and Euler ancestral
 *                       (1 as in k-diffusion); must be 0 for the other kinds
 * @param setAlphaToOne  DDIM only: whether the step after the last timestep uses {@code alphaBar = 1}
 *                       (true) or {@code alphaBar_0} (false)
 */
public record SchedulerConfig(SchedulerKind kind, PredictionType predictionType, TimestepSpacing spacing,
                              int stepsOffset, double eta, boolean setAlphaToOne) {

    public SchedulerConfig {
        Objects.requireNonNull(kind, "scheduler kind");
        Objects.requireNonNull(predictionType, "scheduler predictionType");
        Objects.requireNonNull(spacing, "scheduler spacing");
        if (stepsOffset < 0) {
            throw new IllegalArgumentException("scheduler stepsOffset: " + stepsOffset + ", expected >= 0");
        }
        boolean takesEta = kind == SchedulerKind.DDIM || kind == SchedulerKind.EULER_ANCESTRAL;
        if (!(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("scheduler eta: " + eta + ", expected in [0, 1]");
        }
        if (!takesEta && eta != 0) {
            throw new IllegalArgumentException("scheduler eta: " + eta + " for " + kind
                    + ", expected 0 (eta applies to DDIM and EULER_ANCESTRAL only)");
        }
    }

    /** The defaults for {@code kind}. */
    public static SchedulerConfig of(SchedulerKind kind) {
        return builder().kind(kind).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A scheduler for one run of {@code steps} inference steps over {@code schedule}. */
    public Scheduler create(NoiseSchedule schedule, int steps) {
        Objects.requireNonNull(schedule, "noise schedule");
        long[] ts = spacing.timesteps(schedule.trainSteps(), steps, stepsOffset);
        return switch (kind) {
            case DDIM -> new DdimScheduler(schedule, ts, predictionType, eta, setAlphaToOne);
            case EULER -> new EulerScheduler(schedule, ts, predictionType, 0.0);
            case EULER_ANCESTRAL -> new EulerScheduler(schedule, ts, predictionType, eta);
            case DPM_SOLVER_PP_2M -> new DpmSolverPlusPlus2MScheduler(schedule, ts, predictionType);
        };
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private SchedulerKind kind = SchedulerKind.DPM_SOLVER_PP_2M;
        private PredictionType predictionType = PredictionType.EPSILON;
        private TimestepSpacing spacing = TimestepSpacing.TRAILING;
        private int stepsOffset;
        private Double eta;
        private boolean setAlphaToOne = true;

        private Builder() {
        }

        public Builder kind(SchedulerKind kind) {
            this.kind = kind;
            return this;
        }

        public Builder predictionType(PredictionType predictionType) {
            this.predictionType = predictionType;
            return this;
        }

        public Builder spacing(TimestepSpacing spacing) {
            this.spacing = spacing;
            return this;
        }

        public Builder stepsOffset(int stepsOffset) {
            this.stepsOffset = stepsOffset;
            return this;
        }

        public Builder eta(double eta) {
            this.eta = eta;
            return this;
        }

        public Builder setAlphaToOne(boolean setAlphaToOne) {
            this.setAlphaToOne = setAlphaToOne;
            return this;
        }

        public SchedulerConfig build() {
            Objects.requireNonNull(kind, "scheduler kind");
            double e = eta != null ? eta : kind == SchedulerKind.EULER_ANCESTRAL ? 1.0 : 0.0;
            return new SchedulerConfig(kind, predictionType, spacing, stepsOffset, e, setAlphaToOne);
        }
    }
}
