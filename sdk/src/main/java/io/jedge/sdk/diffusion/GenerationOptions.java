package io.jedge.sdk.diffusion;


/**
 * What one call of {@link LatentDiffusionPipeline#generate} makes. Immutable; built with
 * {@link #builder()}, validated in {@link Builder#build()}.
 *
 * <p>Defaults: 25 steps, guidance 1 (off), seed 0, unconditional, batch 1,
 * {@link SchedulerConfig#of DPM-Solver++(2M)} with trailing spacing, ELFATT-SD for the first 20%
 * of the steps, latents {@code [4, 32, 32]} (256-pixel DiT).
 *
 * <p><b>Classifier-free guidance.</b> With a guidance scale {@code g != 1} the denoiser gets a
 * doubled batch, <i>conditional half first</i> (labels {@code classLabel}), then the
 * unconditional half (labels {@code nullClass}), as DiT's sampler does; the two predictions are
 * combined as {@code uncond + g (cond - uncond)}. DiT's null class is its class count (1000 for
 * ImageNet). Guidance needs a class label and a null class. It is applied to all latent channels
 * (DiT's reference sampler guides only the first three, a quirk of its published code).
 *
 * <pre>{@code
 * GenerationOptions o = GenerationOptions.builder()
 *         .classLabel(207).nullClass(1000).guidanceScale(4)
 *         .steps(25).seed(1).build();
 * }</pre>
 */
public final class GenerationOptions {
    private final int steps;
    private final double guidanceScale;
    private final long seed;
    private final Long classLabel;
    private final Long nullClass;
    private final int batchSize;
    private final SchedulerConfig scheduler;
    private final double elfattFraction;
    private final int latentChannels;
    private final int latentHeight;
    private final int latentWidth;

    private GenerationOptions(Builder b) {
        this.steps = b.steps;
        this.guidanceScale = b.guidanceScale;
        this.seed = b.seed;
        this.classLabel = b.classLabel;
        this.nullClass = b.nullClass;
        this.batchSize = b.batchSize;
        this.scheduler = b.scheduler;
        this.elfattFraction = b.elfattFraction;
        this.latentChannels = b.latentChannels;
        this.latentHeight = b.latentHeight;
        this.latentWidth = b.latentWidth;
    }

    /**
     * The range rules of the sampling values, for every front end that takes them ({@code subject} names the value as
     * its user wrote it, e.g. "--steps"): one rule each, so a command line refuses what a build would.
     */
    public static void checkSteps(String subject, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException(subject + " " + steps + ", expected at least 1");
        }
    }

    /** @see #checkSteps */
    public static void checkGuidance(String subject, double guidance) {
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw new IllegalArgumentException(subject + " " + guidance + ", expected a finite number >= 0 (1 turns guidance off)");
        }
    }

    /** @see #checkSteps */
    public static void checkElfattFraction(String subject, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException(subject + " " + fraction + ", expected a fraction in [0, 1]");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int steps() {
        return steps;
    }

    public double guidanceScale() {
        return guidanceScale;
    }

    /** Whether the denoiser runs on a doubled (conditional, unconditional) batch. */
    public boolean usesGuidance() {
        return guidanceScale != 1.0;
    }

    public long seed() {
        return seed;
    }

    /** The class to generate, or {@code null} when unconditional. */
    public Long classLabel() {
        return classLabel;
    }

    /** The class id the model treats as "no class", or {@code null} if not set. */
    public Long nullClass() {
        return nullClass;
    }

    public int batchSize() {
        return batchSize;
    }

    public SchedulerConfig scheduler() {
        return scheduler;
    }

    /** The fraction of the first steps run by the ELFATT-SD denoiser where the pipeline has one. */
    public double elfattFraction() {
        return elfattFraction;
    }

    /** How many of the first steps run ELFATT-SD: {@code floor(fraction * steps)}. */
    public int elfattSteps() {
        return (int) Math.floor(elfattFraction * steps + 1e-9);
    }

    public int latentChannels() {
        return latentChannels;
    }

    public int latentHeight() {
        return latentHeight;
    }

    public int latentWidth() {
        return latentWidth;
    }

    /** The label the conditional (or only) batch half carries, or {@code null} for no class input. */
    Long conditionalLabel() {
        return classLabel != null ? classLabel : nullClass;
    }

    @Override
    public String toString() {
        return "GenerationOptions[steps=" + steps + ", guidance=" + guidanceScale + ", seed=" + seed
                + ", class=" + (classLabel == null ? "unconditional" : classLabel) + ", nullClass=" + nullClass
                + ", batch=" + batchSize + ", scheduler=" + scheduler.kind() + ", elfattFraction=" + elfattFraction
                + ", latent=[" + latentChannels + "," + latentHeight + "," + latentWidth + "]]";
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private int steps = 25;
        private double guidanceScale = 1.0;
        private long seed;
        private Long classLabel;
        private Long nullClass;
        private int batchSize = 1;
        private SchedulerConfig scheduler = SchedulerConfig.of(SchedulerKind.DPM_SOLVER_PP_2M);
        private double elfattFraction = 0.2;
        private int latentChannels = 4;
        private int latentHeight = 32;
        private int latentWidth = 32;

        private Builder() {
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** Classifier-free guidance scale; 1 turns guidance off (DiT's samples use 4). */
        public Builder guidanceScale(double guidanceScale) {
            this.guidanceScale = guidanceScale;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Generate this class. */
        public Builder classLabel(long classLabel) {
            this.classLabel = classLabel;
            return this;
        }

        /**
         * Generate without a class: a class-conditional model then gets the null class, a model
         * without class input (no null class set) gets {@code null} labels.
         */
        public Builder unconditional() {
            this.classLabel = null;
            return this;
        }

        /** The model's "no class" id (DiT: the number of classes). */
        public Builder nullClass(long nullClass) {
            this.nullClass = nullClass;
            return this;
        }

        /** Images per call; all get the same class and each its own noise stream of the seed. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder scheduler(SchedulerConfig scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** Shortcut for {@code scheduler(SchedulerConfig.of(kind))}. */
        public Builder scheduler(SchedulerKind kind) {
            this.scheduler = SchedulerConfig.of(kind);
            return this;
        }

        /** The fraction of the first steps for the ELFATT-SD denoiser, in [0, 1]; the paper uses 0.2. */
        public Builder elfattFraction(double elfattFraction) {
            this.elfattFraction = elfattFraction;
            return this;
        }

        /** Latent shape per image, {@code [channels, height, width]}. */
        public Builder latentSize(int channels, int height, int width) {
            this.latentChannels = channels;
            this.latentHeight = height;
            this.latentWidth = width;
            return this;
        }

        public GenerationOptions build() {
            if (scheduler == null) {
                throw new IllegalArgumentException("generation scheduler: null, expected a SchedulerConfig"
                        + " such as SchedulerConfig.of(SchedulerKind.DDIM)");
            }
            checkSteps("generation steps:", steps);
            checkGuidance("guidance scale:", guidanceScale);
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size: " + batchSize + ", expected >= 1");
            }
            checkElfattFraction("elfatt fraction:", elfattFraction);
            if (latentChannels < 1 || latentHeight < 1 || latentWidth < 1) {
                throw new IllegalArgumentException("latent size: [" + latentChannels + ", " + latentHeight + ", "
                        + latentWidth + "], expected all >= 1");
            }
            long elements = 2L * batchSize * latentChannels * latentHeight * latentWidth;
            if (elements > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("latents of batch " + batchSize + " x [" + latentChannels + ", "
                        + latentHeight + ", " + latentWidth + "]: " + elements
                        + " elements with guidance, expected at most " + Integer.MAX_VALUE);
            }
            if (classLabel != null && classLabel < 0) {
                throw new IllegalArgumentException("class label: " + classLabel + ", expected >= 0");
            }
            if (nullClass != null && nullClass < 0) {
                throw new IllegalArgumentException("null class: " + nullClass + ", expected >= 0");
            }
            if (classLabel != null && classLabel.equals(nullClass)) {
                throw new IllegalArgumentException("class label " + classLabel + " is the null class; use unconditional()");
            }
            if (guidanceScale != 1.0) {
                if (classLabel == null) {
                    throw new IllegalArgumentException("guidance scale " + guidanceScale
                            + " needs a class label, got unconditional (use guidance 1)");
                }
                if (nullClass == null) {
                    throw new IllegalArgumentException("guidance scale " + guidanceScale
                            + " needs the model's null class (nullClass, DiT: its class count), got none");
                }
            }
            return new GenerationOptions(this);
        }
    }
}
