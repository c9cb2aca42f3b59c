package io.jedge.converters.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.TensorFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DitBuilder against the trained digits DiT (tools/diffusion/train_dit_digits.py): the ONNX graph built from
 * the F16 safetensors must reproduce torch's predicted noise on the held-out noised latents. Random weights
 * cannot catch a transposed weight that happens to be symmetric in distribution; trained ones do.
 */
class TrainedDitTest {
    static final Path DIR = Path.of("src/test/resources/diffusion/digits_dit");
    /** The fixture's config (report.json): latent 32, patch 2, hidden 128, depth 4, heads 4, mlp 4, 4 channels, 10 classes. */
    static final DitConfig DIGITS = new DitConfig(32, 2, 128, 4, 4, 4, 4, 10, false);

    @TempDir
    Path tmp;

    @Test
    void reproducesTorchNoisePredictionOnHeldOutLatents() {
        Tensor latents = TensorFiles.readNpy(DIR.resolve("eval_latents.npy"));
        Tensor t = TensorFiles.readNpy(DIR.resolve("eval_timesteps.npy"));
        Tensor y = TensorFiles.readNpy(DIR.resolve("eval_labels.npy"));
        Tensor expected = TensorFiles.readNpy(DIR.resolve("eval_noise_pred.npy"));
        Path model = tmp.resolve("dit.onnx");
        DitBuilder.build(DIGITS, Safetensors.open(DIR.resolve("dit.safetensors"))).save(model);
        Tensor got = DitBuilderTest.run(model, DIGITS, latents.floats(), t.floats(), y.longs());
        assertArrayEquals(expected.shape(), got.shape());
        float maxAbs = 0;
        for (float v : expected.floats()) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        float diff = DitBuilderTest.maxDiff(expected.floats(), got.floats());
        System.out.printf("trained DiT vs torch: max abs diff %.3g (max |eps| %.3g)%n", diff, maxAbs);
        assertTrue(maxAbs > 1, "reference predictions too small to compare: " + maxAbs);
        assertTrue(diff < 1e-4, "max abs diff vs torch's eval_noise_pred.npy " + diff);
    }
}
