package io.jedge.sdk.diffusion;

/** Told after each denoising step, on the generating thread; keep it quick. */
@FunctionalInterface
public interface ProgressListener {
    void onStep(Progress progress);
}
