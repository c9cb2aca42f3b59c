package io.jedge.sdk.diffusion;

import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;

/**
 * A diffusion denoiser: predicts the noise (or velocity, see {@link PredictionType}) in a batch of
 * noisy latents. Implemented by backends (an ONNX Runtime or TensorRT session) or by tests.
 *
 * <p>The pipeline calls it from one thread at a time. Input tensors wrap buffers the pipeline reuses
 * across steps: read them during the call, do not keep them. The pipeline owns an instance it got
 * from its supplier and calls {@link #close()} when it no longer needs it.
 */
public interface Denoiser extends AutoCloseable {
    /**
     * One denoiser evaluation.
     *
     * @param latents     FLOAT32 {@code [B, C, H, W]}, already scaled by the scheduler
     * @param timesteps   {@code [B]} training timesteps, of type {@link #timestepType()}
     * @param classLabels INT64 {@code [B]} class ids (the null class for the unconditional half
     *                    of a guided batch), or {@code null} for a model without class input
     * @return FLOAT32 {@code [B, C, H, W]}, or {@code [B, 2C, H, W]} for models that also learn the
     *         variance (DiT's learn_sigma): then only the first {@code C} channels are used
     */
    Tensor predict(Tensor latents, Tensor timesteps, Tensor classLabels);

    /** The element type the model takes its timesteps in: INT64 (the default) or FLOAT32. */
    default DataType timestepType() {
        return DataType.INT64;
    }

    /** Releases the model. The default does nothing. */
    @Override
    default void close() {
    }
}
