package io.jedge.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.diffusion.DenoiserKind;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.LatentDecoder;
import io.jedge.sdk.diffusion.LatentDiffusionPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Classifier-free guidance runs the conditional and the null-class row as one batch-2 denoiser call per step,
 * not two batch-1 calls. Every backend reaches the model through SessionDenoiser over an InferenceSession, so a
 * session wrapper that records each run's batch covers ONNX Runtime here and TensorRT engines alike (an engine's
 * batch range reaches SessionDenoiser as maxBatch). The session under the wrapper is a DiT-shaped stand-in
 * (latents, timesteps, class labels in; zero noise out): the numbers do not matter here, the batches do.
 */
class CfgBatchTest {
    static final int STEPS = 3;

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
        List<Long> calls = new ArrayList<>();
        LatentDecoder none = latents -> Tensor.ofFloats(new long[] {latents.dim(0), 3, 1, 1}, new float[(int) latents.dim(0) * 3]);
        GenerationOptions o = GenerationOptions.builder().classLabel(1).nullClass(3).guidanceScale(guidance).steps(STEPS).seed(1)
                .latentSize(4, 8, 8).build();
        try (LatentDiffusionPipeline p = LatentDiffusionPipeline.builder()
                .denoiser(DenoiserKind.VANILLA, () -> new SessionDenoiser(new Counting(new DitShaped(), calls), "dit", maxBatch))
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

    /** Inputs and outputs of a class-conditional DiT on 4x8x8 latents; predicts zero noise. */
    private static final class DitShaped implements InferenceSession {
        @Override
        public String backendName() {
            return "test";
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of(new TensorSpec("latents", "float32", List.of(-1L, 4L, 8L, 8L)), new TensorSpec("timesteps", "float32", List.of(-1L)),
                    new TensorSpec("class_labels", "int64", List.of(-1L)));
        }

        @Override
        public List<TensorSpec> outputs() {
            return List.of(new TensorSpec("noise", "float32", List.of(-1L, 4L, 8L, 8L)));
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> outputNames) {
            Tensor latents = inputs.get("latents");
            return Map.of("noise", Tensor.zeros(latents.shape()));
        }

        @Override
        public void close() {
        }
    }
}
