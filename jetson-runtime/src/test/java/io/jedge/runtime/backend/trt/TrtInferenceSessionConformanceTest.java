package io.jedge.runtime.backend.trt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.InferenceSessionConformance;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.trt.build.TrtBuildOptions;
import io.jedge.runtime.backend.trt.build.TrtEngineBuilder;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;

/**
 * The session contract on TensorRT: the tiny fixture built into an FP32 engine (batch 1..8), then
 * opened as the runtime opens engines. Skipped, with the reason, where TensorRT or CUDA is absent.
 */
class TrtInferenceSessionConformanceTest extends InferenceSessionConformance {
    @BeforeEach
    void requireTensorRt() {
        Optional<String> why = TrtEngineBuilder.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "TensorRT not usable here: " + why.orElse(""));
    }

    @Override
    protected InferenceSession open(Path onnx) throws Exception {
        Path plan = onnx.resolveSibling(onnx.getFileName() + ".plan");
        new TrtEngineBuilder(TrtBuildOptions.builder().batch(1, 4, 8).tf32(false).build()).build(onnx).write(plan);
        return new TrtBackend().open(plan, SessionOptions.defaults());
    }

    @Override
    protected float tolerance() {
        return 1e-4f; // FP32 kernels may sum in another order
    }
}
