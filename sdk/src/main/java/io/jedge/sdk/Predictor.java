package io.jedge.sdk;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the model on named input tensors. Thread-safe: concurrent calls are batched dynamically
 * when the model was loaded with batching on. The owning {@link JedgeModel} closes it.
 */
public interface Predictor {
    /** Runs one request (batch dimension first) and waits for the answer. */
    Map<String, Tensor> run(Map<String, Tensor> inputs);

    /**
     * Queues one request; never throws for overload. The future fails with {@link JedgeException} if the
     * runtime cannot run it: with {@link JedgeException.Code#UNAVAILABLE} when the request queue
     * ({@link LoadOptions#queueCapacity()}) stayed full for {@link LoadOptions#queueWait()} (1 s by default;
     * back-pressure: the calling thread blocks that long at most, then the caller should retry later or shed load).
     * After the model is closed the future fails with {@link IllegalStateException}.
     *
     * @throws IllegalArgumentException at once, before anything is queued, when the inputs do not match the model
     *                                  (names, types, shapes) or hold NaN or infinite values
     */
    CompletableFuture<Map<String, Tensor>> runAsync(Map<String, Tensor> inputs);

    /** The variant that currently answers requests and why; changes when the power mode does. */
    Selection selection();
}
