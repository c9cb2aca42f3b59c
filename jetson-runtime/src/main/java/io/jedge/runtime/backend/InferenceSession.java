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

    /**
     * Runs and returns only {@code outputNames} (all when empty). Inputs may be heap or direct
     * tensors; outputs come back on the heap, copied once out of the backend's memory.
     */
    Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> outputNames);

    /**
     * Runs and writes the named outputs into {@code outputs}, direct tensors the caller owns and may
     * reuse for every call (each shaped exactly as the output will be, of the output's element type: a float16
     * output takes a float16 tensor, where {@link #run} would return float32; {@link OutputChecks} says which
     * tensors every backend takes). Only those outputs are computed. Backends that can bind caller memory do so without a copy
     * (ONNX Runtime: pinned outputs; TensorRT: pooled pinned or mapped memory); this default runs
     * {@link #run(Map, Set)} and copies once.
     *
     * @throws IllegalArgumentException when an output is unknown, on the heap, or of another type or shape
     */
    default void runInto(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
        OutputChecks.check(outputs(), outputs, backendName());
        Map<String, Tensor> got = run(inputs, outputs.keySet());
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            Tensor have = got.get(e.getKey());
            OutputChecks.checkShape(e.getKey(), e.getValue(), have.shape());
            Staging.writeOutput(e.getKey(), e.getValue().type(), have, e.getValue().buffer()); // run() widened float16 and int32
        }
    }

    /**
     * A zero-filled direct tensor in the memory this backend reads and writes without a copy (TensorRT:
     * its pinned or mapped pool; here: plain direct memory). Valid until {@link #release} or close.
     */
    default Tensor allocate(io.jedge.sdk.DataType type, long... shape) {
        return Tensor.allocateDirect(type, shape);
    }

    /** Gives back a tensor from {@link #allocate}; a no-op where the garbage collector owns it. */
    default void release(Tensor tensor) {
    }

    /**
     * Whether {@link #stageTimes()} reports host-to-device, compute and device-to-host time (TensorRT
     * does, from CUDA events; ONNX Runtime on the CPU has no such split).
     */
    default boolean reportsStageTimes() {
        return false;
    }

    /**
     * The split of the calling thread's most recent call, in milliseconds {@code {h2d, compute, d2h}};
     * empty where {@link #reportsStageTimes()} is false.
     */
    default java.util.Optional<double[]> stageTimes() {
        return java.util.Optional.empty();
    }

    @Override
    void close();
}
