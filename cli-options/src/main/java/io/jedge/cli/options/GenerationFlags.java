package io.jedge.cli.options;

import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.PredictionType;
import io.jedge.sdk.diffusion.SchedulerConfig;
import io.jedge.sdk.diffusion.SchedulerKind;
import picocli.CommandLine.Option;

/**
 * The sampling options of {@code jedge generate} and the generate sample, declared once: each is left at the bundle's
 * default unless given. {@link #check()} refuses bad values before any model is opened.
 */
public final class GenerationFlags {
    @Option(names = "--steps", description = "Denoising steps (default: the bundle's).")
    Integer steps;

    @Option(names = "--guidance", description = "Classifier-free guidance scale; 1 turns it off (default: the bundle's).")
    Double guidance;

    @Option(names = "--elfatt-steps", paramLabel = "FRACTION",
            description = "Fraction of the first steps run by the training-free denoiser (ELFATT-SD, ToMe or both; "
                    + "default: the bundle's, 0.2 as in the paper).")
    Double elfattFraction;

    @Option(names = "--scheduler", description = "ddim, euler, euler-a or dpm++2m (default: the bundle's).")
    String scheduler;

    /** One line naming the option for the first bad value; a scheduler name is checked too. */
    public void check() {
        if (steps != null) {
            GenerationOptions.checkSteps("--steps", steps);
        }
        if (guidance != null) {
            GenerationOptions.checkGuidance("--guidance", guidance);
        }
        if (elfattFraction != null) {
            GenerationOptions.checkElfattFraction("--elfatt-steps", elfattFraction);
        }
        if (scheduler != null) {
            SchedulerKind.parse(scheduler);
        }
    }

    /** The --guidance given, or null for the bundle's. */
    public Double guidance() {
        return guidance;
    }

    /** Sets what was given on {@code b}; a scheduler keeps the bundle's prediction type. */
    public GenerationOptions.Builder apply(GenerationOptions.Builder b, PredictionType prediction) {
        if (guidance != null) {
            b.guidanceScale(guidance);
        }
        if (steps != null) {
            b.steps(steps);
        }
        if (elfattFraction != null) {
            b.elfattFraction(elfattFraction);
        }
        if (scheduler != null) {
            b.scheduler(SchedulerConfig.builder().kind(SchedulerKind.parse(scheduler)).predictionType(prediction).build());
        }
        return b;
    }
}
