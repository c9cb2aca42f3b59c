package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.SeededWeights;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.runtime.model.SessionDenoiser;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.diffusion.DenoiserKind;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.LatentDecoder;
import io.jedge.sdk.diffusion.LatentDiffusionPipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classifier-free guidance runs the conditional and the null-class row as one batch-2 denoiser call per step,
 * not two batch-1 calls. Every backend reaches the model through SessionDenoiser over an InferenceSession, so a
 * session wrapper that records each run's batch covers ONNX Runtime here and TensorRT engines alike (an engine's
 * batch range reaches SessionDenoiser as maxBatch).
 */
class CfgBatchTest {
    static final DitConfig SMALL = new DitConfig(8, 2, 16, 1, 2, 2, 4, 3, false);
    static final int STEPS = 3;

    @TempDir
    Path tmp;

    @Test
    void guidedGenerationCallsTheDenoiserOnceAStepWithBatchTwo() {
        assertEquals(List.of(2L, 2L, 2L), batches(0, 4.0));
        assertEquals(List.of(2L, 2L, 2L), batches(2, 4.0), "an engine built for batch 2 still takes both rows at once");
    }

    @Test
    void unguidedGenerationCallsWithBatchOne() {
        assertEquals(List.of(1L, 1L, 1L), batches(0, 1.0));
    }

    private List<Long> batches(int maxBatch, double guidance) {
        Path model = tmp.resolve("dit.onnx");
        DitBuilder.build(SMALL, new SeededWeights(3)).save(model);
        List<Long> calls = new ArrayList<>();
        LatentDecoder none = latents -> Tensor.ofFloats(new long[] {latents.dim(0), 3, 1, 1}, new float[(int) latents.dim(0) * 3]);
        GenerationOptions o = GenerationOptions.builder().classLabel(1).nullClass(3).guidanceScale(guidance).steps(STEPS).seed(1)
                .latentSize(4, 8, 8).build();
        try (LatentDiffusionPipeline p = LatentDiffusionPipeline.builder()
                .denoiser(DenoiserKind.VANILLA, () -> new SessionDenoiser(new Counting(new OrtBackend().open(model, SessionOptions.defaults()),
                        calls), "dit", maxBatch))
                .decoder(() -> none).build()) {
            p.generate(o);
        }
        return calls;
    }

    /** Records the batch of every run, then delegates. */
    private record Counting(InferenceSession inner, List<Long> calls) implements InferenceSession {
        @Override
        public String backendName() {
            return inner.backendName();
        }

        @Override
        public List<TensorSpec> inputs() {
            return inner.inputs();
        }

        @Override
        public List<TensorSpec> outputs() {
            return inner.outputs();
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> outputNames) {
            calls.add(inputs.values().iterator().next().dim(0));
            return inner.run(inputs, outputNames);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
