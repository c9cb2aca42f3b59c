package io.jedge.cli.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.TensorFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BuildDiffusionCommandsTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result execute(Callable<Integer> command, String... args) {
        CommandLine cl = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static List<String> inputNames(OnnxModel m) {
        return m.graph().inputs().stream().map(v -> v.getName()).toList();
    }

    @Test
    void ditBuildsAClassConditionalModel() {
        Path out = tmp.resolve("dit.onnx");
        Result r = execute(new BuildDiffusionCommands.Dit(), "--preset", "tiny", "--latent", "8", "--classes", "10", "--seed", "3",
                "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("built DiT") && r.out().contains("16 tokens") && r.out().contains("null class 10")
                && r.out().contains("seed 3"), r.out());
        assertEquals(1, r.out().lines().count(), r.out());
        OnnxModel m = OnnxModel.load(out);
        assertEquals(List.of("latents", "timesteps", "class_labels"), inputNames(m));
        assertEquals("[batch,8,8,8]", Graph.dimsText(m.graph().outputs().get(0)));
        assertArrayEquals(new long[] {11, 64}, io.jedge.converters.onnx.TensorData.dims(
                m.graph().initializer("y_embedder.embedding_table.weight").orElseThrow()));
        try (InferenceSession s = new OrtBackend().open(out, SessionOptions.defaults())) {
            Tensor noise = s.run(Map.of("latents", Tensor.zeros(2, 4, 8, 8), "timesteps", Tensor.ofFloats(new long[] {2}, new float[] {5, 500}),
                    "class_labels", Tensor.ofLongs(new long[] {2}, new long[] {3, 10}))).get("noise_pred");
            assertArrayEquals(new long[] {2, 8, 8, 8}, noise.shape());
        }
    }

    @Test
    void ditUnconditionalWithoutSigma() {
        Path out = tmp.resolve("u.onnx");
        Result r = execute(new BuildDiffusionCommands.Dit(), "--preset", "tiny", "--latent", "8", "--unconditional", "--no-learn-sigma",
                "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("unconditional") && r.out().contains("4 output channels"), r.out());
        OnnxModel m = OnnxModel.load(out);
        assertEquals(List.of("latents", "timesteps"), inputNames(m));
        assertEquals("0", m.metadata().get("jedge.classes"));
    }

    @Test
    void ditRejectsContradictoryOrInvalidOptions() {
        Path out = tmp.resolve("x.onnx");
        Result both = execute(new BuildDiffusionCommands.Dit(), "--preset", "tiny", "--classes", "5", "--unconditional", "-o", out.toString());
        assertNotEquals(0, both.code());
        assertTrue(both.err().contains("--unconditional"), both.err());
        Result odd = execute(new BuildDiffusionCommands.Dit(), "--preset", "tiny", "--latent", "33", "-o", out.toString());
        assertNotEquals(0, odd.code());
        assertTrue(odd.err().contains("33"), odd.err());
        Result weightsAndSeed = execute(new BuildDiffusionCommands.Dit(), "--preset", "tiny", "--seed", "1", "--weights", "w.safetensors",
                "-o", out.toString());
        assertNotEquals(0, weightsAndSeed.code());
    }

    /**
     * The trained digits DiT (hidden 128, depth 4, heads 4: no preset) builds from its checkpoint through the command line and
     * predicts the noise torch predicted on the held-out latents.
     */
    @Test
    void ditBuildsACheckpointOfItsOwnSizeWithHiddenDepthAndHeads() throws Exception {
        Path fixture = Path.of("../converters/src/test/resources/diffusion/digits_dit");
        Path out = tmp.resolve("digits.onnx");
        Result r = execute(new BuildDiffusionCommands.Dit(), "--preset", "tiny", "--hidden", "128", "--depth", "4", "--heads", "4",
                "--classes", "10", "--no-learn-sigma", "--weights", fixture.resolve("dit.safetensors").toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("hidden 128, depth 4, heads 4"), r.out());
        int n = 4 * 4 * 32 * 32;
        Tensor latents = Tensor.ofFloats(new long[] {4, 4, 32, 32},
                java.util.Arrays.copyOf(TensorFiles.readNpy(fixture.resolve("eval_latents.npy")).floats(), n));
        float[] expected = java.util.Arrays.copyOf(TensorFiles.readNpy(fixture.resolve("eval_noise_pred.npy")).floats(), n);
        try (InferenceSession s = new OrtBackend().open(out, SessionOptions.defaults())) {
            float[] got = s.run(Map.of("latents", latents,
                    "timesteps", Tensor.ofFloats(new long[] {4},
                            java.util.Arrays.copyOf(TensorFiles.readNpy(fixture.resolve("eval_timesteps.npy")).floats(), 4)),
                    "class_labels", Tensor.ofLongs(new long[] {4},
                            java.util.Arrays.copyOf(TensorFiles.readNpy(fixture.resolve("eval_labels.npy")).longs(), 4)))).get("noise_pred").floats();
            assertEquals(expected.length, got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(expected[i], got[i], 2e-3, "noise_pred[" + i + "]");
            }
        }
        Result bad = execute(new BuildDiffusionCommands.Dit(), "--preset", "tiny", "--hidden", "130", "--heads", "4", "-o", out.toString());
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("hidden 130") && bad.err().contains("--hidden"), bad.err());
    }

    @Test
    void vaeDecoderBuildsAndRuns() {
        Path out = tmp.resolve("taesd.onnx");
        Result r = execute(new BuildDiffusionCommands.VaeDecoder(), "--latent", "4", "--seed", "2", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("built TAESD decoder") && r.out().contains("latent 4 -> 32 px") && r.out().contains("clamped"),
                r.out());
        try (InferenceSession s = new OrtBackend().open(out, SessionOptions.defaults())) {
            Tensor img = s.run(Map.of("latents", Tensor.zeros(2, 4, 4, 4))).get("image");
            assertArrayEquals(new long[] {2, 3, 32, 32}, img.shape());
        }
        Path dyn = tmp.resolve("dyn.onnx");
        Result d = execute(new BuildDiffusionCommands.VaeDecoder(), "--no-clamp", "-o", dyn.toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("dynamic size") && d.out().contains("unclamped"), "dynamic by default: " + d.out());
        assertEquals("taesd-decoder", OnnxModel.load(dyn).metadata().get("jedge.model"));
        try (InferenceSession s = new OrtBackend().open(dyn, SessionOptions.defaults())) {
            assertArrayEquals(new long[] {1, 3, 48, 40}, s.run(Map.of("latents", Tensor.zeros(1, 4, 6, 5))).get("image").shape());
        }
    }
}
