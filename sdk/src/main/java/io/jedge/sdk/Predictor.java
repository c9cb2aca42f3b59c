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

    /**
     * Runs one request alone (not batched with others) and writes the named outputs into
     * {@code outputs}: direct tensors the app owns and reuses for every call, each shaped exactly as
     * the output will be and of its element type. The backend writes into them without a copy where it
     * can (ONNX Runtime always; TensorRT for tensors from its pinned/mapped pool), else copies once.
     *
     * <pre>{@code
     * Tensor logits = Tensor.allocateDirect(DataType.FLOAT32, 1, 1000);   // once
     * predictor.runInto(Map.of("pixels", pixels), Map.of("logits", logits)); // every frame
     * }</pre>
     *
     * @throws IllegalArgumentException when an output is unknown, on the heap, or of another type or shape
     */
    default void runInto(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
        Map<String, Tensor> got = run(inputs);
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            Tensor have = got.get(e.getKey());
            if (have == null || !e.getValue().isDirect() || have.type() != e.getValue().type()
                    || !java.util.Arrays.equals(have.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("output '" + e.getKey() + "': " + e.getValue() + " given, the model produced "
                        + (have == null ? "no such output; its outputs are " + got.keySet() : have));
            }
            have.copyInto(e.getValue().buffer());
        }
    }

    /** The variant that currently answers requests and why; changes when the power mode does. */
    Selection selection();
}
