package io.jedge.sdk.diffusion;

import io.jedge.sdk.Selection;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.BundleManifest;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A loaded latent-diffusion bundle: the chosen denoiser variants (vanilla, and ELFATT-SD for the
 * first steps where the bundle has it) and decoder, behind a {@link LatentDiffusionPipeline}. Get
 * one from {@link io.jedge.sdk.Jedge#loadGenerator}.
 *
 * <p>Models open on first use and stay open or are closed after each generation as
 * {@link #residency()} says. Calls are serialised (one generation at a time); the async form runs
 * on the generator's own thread and cancelling its future stops the loop before the next step.
 * Close it (try-with-resources); closing releases every model it opened. Thread-safe.
 *
 * <pre>{@code
 * try (ImageGenerator g = Jedge.loadGenerator(Path.of("dit.bundle"))) {
 *     GenerationOptions o = g.options().classLabel(207).seed(1).build();
 *     GenerationResult r = g.generateAsync(o, p -> System.out.println(p.step() + "/" + p.totalSteps())).join();
 *     r.writePng(0, Path.of("out.png"));
 * }
 * }</pre>
 */
public interface ImageGenerator extends AutoCloseable {
    BundleManifest manifest();

    /** The bundle's generation defaults (scheduler, steps, guidance, latent shape, null class). */
    GenerationDefaults defaults();

    /**
     * A builder pre-filled with {@link #defaults()}; for a class-conditional model it carries the
     * default guidance scale, so an unconditional generation sets {@code guidanceScale(1)}.
     */
    default GenerationOptions.Builder options() {
        return defaults().applyTo(GenerationOptions.builder());
    }

    /** The chosen variants: the vanilla denoiser, the ELFATT-SD denoiser if any, then the decoder. */
    List<Selection> selections();

    /** Whether an ELFATT-SD denoiser was chosen (it then runs the first {@link GenerationOptions#elfattSteps()} steps). */
    boolean hasElfattDenoiser();

    /**
     * The attention of the denoiser that runs the early steps (ELFATT-SD, ToMe or both), for naming those steps;
     * {@code ELFATT_SD} when none was chosen (zero such steps run).
     */
    default AttentionKind fastAttention() {
        return hasElfattDenoiser() ? manifest().variant(selections().get(1).variantId()).map(v -> v.attention())
                .orElse(AttentionKind.ELFATT_SD) : AttentionKind.ELFATT_SD;
    }

    /** How the models are kept open: all loaded, or one at a time on memory-short devices. */
    Residency residency();

    /** Generates on the calling thread; {@code listener} (nullable) is told after every step. */
    GenerationResult generate(GenerationOptions options, ProgressListener listener);

    default GenerationResult generate(GenerationOptions options) {
        return generate(options, null);
    }

    /** Generates on the generator's thread; cancel the future to stop before the next step. */
    CompletableFuture<GenerationResult> generateAsync(GenerationOptions options, ProgressListener listener);

    /** Waits for a running generation, then releases every model. Idempotent. */
    @Override
    void close();
}
