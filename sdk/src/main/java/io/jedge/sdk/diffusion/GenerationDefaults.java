package io.jedge.sdk.diffusion;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a latent-diffusion bundle says about generating with it: the sampler defaults, the latent
 * shape, the decoder's scaling factor and pixel range, and the training noise schedule. Stored as
 * strings in the manifest's {@code pipeline} map ({@link #toPipeline()}, {@link #fromPipeline});
 * the converter writes it, the runtime reads it. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * GenerationDefaults d = GenerationDefaults.fromPipeline(manifest.pipeline());
 * GenerationOptions o = d.applyTo(GenerationOptions.builder()).classLabel(3).seed(1).build();
 * }</pre>
 *
 * @param scheduler           sampler to use unless the caller picks one
 * @param steps               denoising steps
 * @param guidanceScale       classifier-free guidance scale (1: off); applies to class-conditional generation
 * @param latentChannels      latent channels C
 * @param latentHeight        latent height h (the image is 8h high for an SD-style decoder)
 * @param latentWidth         latent width w
 * @param latentScalingFactor latents are divided by it before decoding (SD VAE 0.18215, TAESD 1)
 * @param nullClass           the denoiser's "no class" id, or {@code null} for a model without class input
 * @param elfattFraction      fraction of the first steps run by the ELFATT-SD denoiser
 * @param decoderRange        the range the decoder's pixels lie in
 * @param betaSchedule        training beta layout
 * @param trainSteps          training timesteps T
 * @param betaStart           first beta (ignored for the cosine schedule)
 * @param betaEnd             last beta (ignored for the cosine schedule)
 * @param predictionType      what the denoiser predicts
 */
public record GenerationDefaults(SchedulerKind scheduler, int steps, double guidanceScale, int latentChannels,
                                 int latentHeight, int latentWidth, double latentScalingFactor, Long nullClass,
                                 double elfattFraction, PixelRange decoderRange, BetaSchedule betaSchedule,
                                 int trainSteps, double betaStart, double betaEnd, PredictionType predictionType) {

    /** Keys of the manifest's {@code pipeline} map. */
    public static final String SCHEDULER = "scheduler";
    public static final String STEPS = "steps";
    public static final String GUIDANCE_SCALE = "guidanceScale";
    public static final String LATENT_CHANNELS = "latentChannels";
    public static final String LATENT_HEIGHT = "latentHeight";
    public static final String LATENT_WIDTH = "latentWidth";
    public static final String LATENT_SCALING_FACTOR = "latentScalingFactor";
    public static final String NULL_CLASS = "nullClass";
    public static final String ELFATT_FRACTION = "elfattFraction";
    public static final String DECODER_RANGE = "decoderRange";
    public static final String BETA_SCHEDULE = "betaSchedule";
    public static final String TRAIN_STEPS = "trainSteps";
    public static final String BETA_START = "betaStart";
    public static final String BETA_END = "betaEnd";
    public static final String PREDICTION_TYPE = "predictionType";

    public GenerationDefaults {
        Objects.requireNonNull(scheduler, "defaults scheduler");
        Objects.requireNonNull(decoderRange, "defaults decoderRange");
        Objects.requireNonNull(betaSchedule, "defaults betaSchedule");
        Objects.requireNonNull(predictionType, "defaults predictionType");
        // upper bounds too: a hand-edited manifest must not make a generator allocate or loop without end
        check(steps >= 1 && steps <= MAX_TRAIN_STEPS, STEPS, steps, "1 to " + MAX_TRAIN_STEPS);
        check(guidanceScale >= 0 && !Double.isInfinite(guidanceScale), GUIDANCE_SCALE, guidanceScale, "a finite value >= 0");
        check(latentChannels >= 1 && latentChannels <= MAX_LATENT_CHANNELS, LATENT_CHANNELS, latentChannels,
                "1 to " + MAX_LATENT_CHANNELS);
        check(latentHeight >= 1 && latentHeight <= MAX_LATENT_SIDE, LATENT_HEIGHT, latentHeight, "1 to " + MAX_LATENT_SIDE);
        check(latentWidth >= 1 && latentWidth <= MAX_LATENT_SIDE, LATENT_WIDTH, latentWidth, "1 to " + MAX_LATENT_SIDE);
        check(latentScalingFactor > 0 && !Double.isInfinite(latentScalingFactor), LATENT_SCALING_FACTOR,
                latentScalingFactor, "a finite value > 0");
        check(nullClass == null || nullClass >= 0, NULL_CLASS, nullClass, ">= 0 or absent");
        check(elfattFraction >= 0 && elfattFraction <= 1, ELFATT_FRACTION, elfattFraction, "in [0, 1]");
        check(trainSteps >= 1 && trainSteps <= MAX_TRAIN_STEPS, TRAIN_STEPS, trainSteps, "1 to " + MAX_TRAIN_STEPS);
    }

    /** Far above DDPM's 1000 training steps, small enough for the schedule's arrays. */
    public static final int MAX_TRAIN_STEPS = 100_000;
    /** Latent side: 4096 is a 32768-pixel image through an 8x decoder. */
    public static final int MAX_LATENT_SIDE = 4096;
    public static final int MAX_LATENT_CHANNELS = 1024;

    private static void check(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("pipeline." + key + ": " + value + ", expected " + expected);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.scheduler = scheduler;
        b.steps = steps;
        b.guidanceScale = guidanceScale;
        b.latentChannels = latentChannels;
        b.latentHeight = latentHeight;
        b.latentWidth = latentWidth;
        b.latentScalingFactor = latentScalingFactor;
        b.nullClass = nullClass;
        b.elfattFraction = elfattFraction;
        b.decoderRange = decoderRange;
        b.betaSchedule = betaSchedule;
        b.trainSteps = trainSteps;
        b.betaStart = betaStart;
        b.betaEnd = betaEnd;
        b.predictionType = predictionType;
        return b;
    }

    /** The training noise schedule these defaults describe. */
    public NoiseSchedule noiseSchedule() {
        return NoiseSchedule.of(betaSchedule, trainSteps, betaStart, betaEnd);
    }

    /**
     * Sets steps, scheduler (with {@link #predictionType()}), latent size, null class and ELFATT-SD
     * fraction on {@code b}, and the guidance scale when the model is class-conditional (an
     * unconditional generation must then set guidance 1 itself).
     */
    public GenerationOptions.Builder applyTo(GenerationOptions.Builder b) {
        b.steps(steps).scheduler(SchedulerConfig.builder().kind(scheduler).predictionType(predictionType).build())
                .latentSize(latentChannels, latentHeight, latentWidth).elfattFraction(elfattFraction);
        if (nullClass != null) {
            b.nullClass(nullClass).guidanceScale(guidanceScale);
        }
        return b;
    }

    /** The manifest's {@code pipeline} entries for these defaults. */
    public Map<String, String> toPipeline() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SCHEDULER, scheduler.id());
        m.put(STEPS, String.valueOf(steps));
        m.put(GUIDANCE_SCALE, String.valueOf(guidanceScale));
        m.put(LATENT_CHANNELS, String.valueOf(latentChannels));
        m.put(LATENT_HEIGHT, String.valueOf(latentHeight));
        m.put(LATENT_WIDTH, String.valueOf(latentWidth));
        m.put(LATENT_SCALING_FACTOR, String.valueOf(latentScalingFactor));
        if (nullClass != null) {
            m.put(NULL_CLASS, String.valueOf(nullClass));
        }
        m.put(ELFATT_FRACTION, String.valueOf(elfattFraction));
        m.put(DECODER_RANGE, decoderRange == PixelRange.ZERO_TO_ONE ? "0..1" : "-1..1");
        m.put(BETA_SCHEDULE, betaSchedule.name().toLowerCase(Locale.ROOT));
        m.put(TRAIN_STEPS, String.valueOf(trainSteps));
        m.put(BETA_START, String.valueOf(betaStart));
        m.put(BETA_END, String.valueOf(betaEnd));
        m.put(PREDICTION_TYPE, predictionType == PredictionType.EPSILON ? "epsilon" : "v-prediction");
        return m;
    }

    /**
     * Reads the defaults from a manifest's {@code pipeline} map. Every key listed above is required
     * except {@code nullClass} (absent for a model without class input).
     *
     * @throws IllegalArgumentException naming the missing or malformed {@code pipeline.KEY}
     */
    public static GenerationDefaults fromPipeline(Map<String, String> p) {
        Builder b = builder();
        b.scheduler(SchedulerKind.parse(required(p, SCHEDULER)));
        b.steps(integer(p, STEPS));
        b.guidanceScale(number(p, GUIDANCE_SCALE));
        b.latentSize(integer(p, LATENT_CHANNELS), integer(p, LATENT_HEIGHT), integer(p, LATENT_WIDTH));
        b.latentScalingFactor(number(p, LATENT_SCALING_FACTOR));
        if (p.containsKey(NULL_CLASS)) {
            b.nullClass((long) integer(p, NULL_CLASS));
        }
        b.elfattFraction(number(p, ELFATT_FRACTION));
        String range = required(p, DECODER_RANGE);
        b.decoderRange(switch (range) {
            case "0..1" -> PixelRange.ZERO_TO_ONE;
            case "-1..1" -> PixelRange.MINUS_ONE_TO_ONE;
            default -> throw new IllegalArgumentException("pipeline." + DECODER_RANGE + ": '" + range + "', expected 0..1 or -1..1");
        });
        String beta = required(p, BETA_SCHEDULE);
        try {
            b.betaSchedule(BetaSchedule.valueOf(beta.toUpperCase(Locale.ROOT).replace('-', '_')));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pipeline." + BETA_SCHEDULE + ": '" + beta
                    + "', expected linear, scaled_linear or squaredcos_cap_v2", e);
        }
        b.noiseSchedule(b.betaSchedule, integer(p, TRAIN_STEPS), number(p, BETA_START), number(p, BETA_END));
        String pred = required(p, PREDICTION_TYPE);
        b.predictionType(switch (pred) {
            case "epsilon" -> PredictionType.EPSILON;
            case "v-prediction" -> PredictionType.V_PREDICTION;
            default -> throw new IllegalArgumentException("pipeline." + PREDICTION_TYPE + ": '" + pred
                    + "', expected epsilon or v-prediction");
        });
        return b.build();
    }

    private static String required(Map<String, String> p, String key) {
        String v = p.get(key);
        if (v == null) {
            throw new IllegalArgumentException("pipeline." + key + " is missing; a latent-diffusion bundle needs it"
                    + " (convert again with 'jedge convert DENOISER.onnx --decoder DECODER.onnx --task latent-diffusion')");
        }
        return v.trim();
    }

    private static int integer(Map<String, String> p, String key) {
        String v = required(p, key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pipeline." + key + ": '" + v + "', expected an integer", e);
        }
    }

    private static double number(Map<String, String> p, String key) {
        String v = required(p, key);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pipeline." + key + ": '" + v + "', expected a number", e);
        }
    }

    /**
     * Builder; {@link #build()} validates. Defaults: DPM-Solver++(2M), 25 steps, guidance 4, latents
     * [4, 32, 32], scaling 0.18215, no null class, ELFATT-SD for 20% of the steps, decoder range
     * [-1, 1], DiT's linear schedule (1e-4..0.02 over 1000), epsilon prediction.
     */
    public static final class Builder {
        private SchedulerKind scheduler = SchedulerKind.DPM_SOLVER_PP_2M;
        private int steps = 25;
        private double guidanceScale = 4.0;
        private int latentChannels = 4;
        private int latentHeight = 32;
        private int latentWidth = 32;
        private double latentScalingFactor = LatentDiffusionPipeline.SD_LATENT_SCALING_FACTOR;
        private Long nullClass;
        private double elfattFraction = 0.2;
        private PixelRange decoderRange = PixelRange.MINUS_ONE_TO_ONE;
        private BetaSchedule betaSchedule = BetaSchedule.LINEAR;
        private int trainSteps = NoiseSchedule.DEFAULT_TRAIN_STEPS;
        private double betaStart = 1e-4;
        private double betaEnd = 0.02;
        private PredictionType predictionType = PredictionType.EPSILON;

        private Builder() {
        }

        public Builder scheduler(SchedulerKind kind) {
            this.scheduler = kind;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder guidanceScale(double g) {
            this.guidanceScale = g;
            return this;
        }

        public Builder latentSize(int channels, int height, int width) {
            this.latentChannels = channels;
            this.latentHeight = height;
            this.latentWidth = width;
            return this;
        }

        public Builder latentScalingFactor(double f) {
            this.latentScalingFactor = f;
            return this;
        }

        /** {@code null} for a denoiser without class input. */
        public Builder nullClass(Long nullClass) {
            this.nullClass = nullClass;
            return this;
        }

        public Builder elfattFraction(double f) {
            this.elfattFraction = f;
            return this;
        }

        public Builder decoderRange(PixelRange r) {
            this.decoderRange = r;
            return this;
        }

        public Builder betaSchedule(BetaSchedule s) {
            this.betaSchedule = s;
            return this;
        }

        public Builder noiseSchedule(BetaSchedule s, int trainSteps, double betaStart, double betaEnd) {
            this.betaSchedule = s;
            this.trainSteps = trainSteps;
            this.betaStart = betaStart;
            this.betaEnd = betaEnd;
            return this;
        }

        public Builder predictionType(PredictionType p) {
            this.predictionType = p;
            return this;
        }

        public GenerationDefaults build() {
            GenerationDefaults d = new GenerationDefaults(scheduler, steps, guidanceScale, latentChannels, latentHeight,
                    latentWidth, latentScalingFactor, nullClass, elfattFraction, decoderRange, betaSchedule, trainSteps,
                    betaStart, betaEnd, predictionType);
            d.noiseSchedule(); // validates the beta range now rather than at the first generation
            return d;
        }
    }
}
