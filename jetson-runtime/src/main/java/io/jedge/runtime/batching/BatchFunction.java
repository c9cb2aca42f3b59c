package io.jedge.runtime.batching;

import io.jedge.sdk.Tensor;
import java.util.Map;

/**
 * One model variant seen as a function of batched tensors: every input carries the same batch
 * (first dimension) {@code N}, and every output must carry that batch {@code N} too, with row
 * {@code i} of each output belonging to row {@code i} of the inputs.
 *
 * <p>A {@link DynamicBatcher} calls it from its worker threads; with more than one worker it is
 * called concurrently and must be thread-safe. It must not keep or modify the input map or tensors.
 *
 * <pre>{@code
 * BatchFunction model = inputs -> Map.of("logits", session.run(inputs.get("pixels")));
 * }</pre>
 */
@FunctionalInterface
public interface BatchFunction {

    /**
     * Runs one batch.
     *
     * @param batchedInputs inputs by name, each with batch {@code N}; unmodifiable
     * @return outputs by name, each with batch {@code N}
     * @throws Exception any failure; every request of the batch then fails with a
     *     {@link BatchFailedException} whose cause is this exception
     */
    Map<String, Tensor> run(Map<String, Tensor> batchedInputs) throws Exception;
}
