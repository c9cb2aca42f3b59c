package io.jedge.runtime.backend;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded model, ready to run. Thread-safe: {@link #run} may be called concurrently (each
 * backend documents whether calls run in parallel or are serialised). Owns native resources:
 * close it; use after close throws {@link IllegalStateException}.
 */
public interface InferenceSession extends AutoCloseable {
    String backendName();

    List<TensorSpec> inputs();

    List<TensorSpec> outputs();

    /** Runs with all outputs. Inputs are validated (names, dtypes, shapes) before anything native runs. */
    default Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return run(inputs, Set.of());
    }

    /** Runs and returns only {@code outputNames} (all when empty). */
    Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> outputNames);

    @Override
    void close();
}
