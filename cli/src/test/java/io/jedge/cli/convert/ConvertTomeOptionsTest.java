package io.jedge.cli.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.cli.JedgeCli;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.TaesdDecoderBuilder;
import io.jedge.converters.models.TaesdDecoderConfig;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jedge convert --attention tome --tome R}: wired through, validated in one line, refused where it cannot apply. */
class ConvertTomeOptionsTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
    }

    private static Result convert(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = JedgeCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "convert";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cl.execute(all);
        return new Result(code, out.toString(), err.toString());
    }

    private Path dit() {
        Path p = tmp.resolve("dit.onnx");
        if (!Files.exists(p)) {
            DitBuilder.build(DitConfig.preset("tiny").withLatentSize(8).withClasses(10), new SeededWeights(11)).save(p);
        }
        return p;
    }

    private Path decoder() {
        Path p = tmp.resolve("taesd.onnx");
        if (!Files.exists(p)) {
            TaesdDecoderBuilder.build(TaesdDecoderConfig.sd(8), new SeededWeights(12)).save(p);
        }
        return p;
    }

    @Test
    void tomeVariantIsWrittenWithItsRatio() throws Exception {
        // seeded weights merge badly; a low floor lets the variant through so the wiring can be checked
        Result r = convert(dit().toString(), "--decoder", decoder().toString(), "-o", tmp.resolve("b").toString(),
                "--attention", "keep,tome", "--tome", "0.25", "--fidelity-min", "0.5", "--batch", "1:2:4", "--precision", "fp32,fp16");
        assertEquals(0, r.code(), r.err() + r.out());
        Variant v = Bundle.load(tmp.resolve("b")).manifest().variant("fp32-tome").orElseThrow(() -> new AssertionError(r.out()));
        assertEquals(AttentionKind.TOME, v.attention());
        assertEquals("0.25", v.attributes().get("tomeRatio"));
        assertTrue(r.out().contains("tome: rewrote blocks"), r.out());
        // the merging graph survives the FP16 pass (indices stay int64, the one-hot mean follows the activations' type)
        Variant half = Bundle.load(tmp.resolve("b")).manifest().variant("fp16-tome").orElseThrow(() -> new AssertionError(r.out()));
        assertEquals("0.25", half.attributes().get("tomeRatio"));
    }

    /** Held-out noised latents (--calibration DIR) reach the ToMe fidelity report; without a form to measure they are refused. */
    @Test
    void heldOutLatentsFeedTheTomeReport() throws Exception {
        Path cal = Files.createDirectories(tmp.resolve("cal"));
        float[] x = new float[4 * 4 * 8 * 8];
        new io.jedge.sdk.diffusion.GaussianNoise(3).fill(x);
        io.jedge.sdk.TensorFiles.write(io.jedge.sdk.Tensor.ofFloats(new long[] {4, 4, 8, 8}, x), cal.resolve("latents.npy"));
        io.jedge.sdk.TensorFiles.write(io.jedge.sdk.Tensor.ofFloats(new long[] {4}, new float[] {50, 50, 600, 600}),
                cal.resolve("timesteps.npy"));
        io.jedge.sdk.TensorFiles.write(io.jedge.sdk.Tensor.ofLongs(new long[] {4}, new long[] {1, 2, 3, 10}), cal.resolve("labels.npy"));
        Result r = convert(dit().toString(), "--decoder", decoder().toString(), "-o", tmp.resolve("held").toString(),
                "--attention", "keep,tome", "--fidelity-min", "0.5", "--batch", "1:2:4", "--calibration", cal.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        io.jedge.sdk.bundle.Report rep = Bundle.load(tmp.resolve("held")).manifest().reports().stream()
                .filter(x2 -> x2.variant().equals("fp32-tome")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(rep.inputs().startsWith("4 held-out noised latents"), rep.inputs());
        assertTrue(rep.metrics().containsKey("noiseCosine_t50") && rep.metrics().containsKey("noiseCosine_t600"), rep.metrics().toString());

        Result unused = convert(dit().toString(), "--decoder", decoder().toString(), "-o", tmp.resolve("u2").toString(),
                "--calibration", cal.toString());
        assertEquals(2, unused.code());
        assertTrue(unused.err().contains("--calibration would go unused"), unused.err());
    }

    @Test
    void ratioOutsideZeroToOneFailsInOneLineBeforeAnyWork() {
        for (String bad : new String[] {"0", "1", "1.5", "-0.2"}) {
            Result r = convert(dit().toString(), "--decoder", decoder().toString(), "-o", tmp.resolve("bad").toString(),
                    "--attention", "keep,tome", "--tome", bad);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("--tome " + Double.parseDouble(bad) + ", expected a merge ratio between 0 and 1"), r.err());
            assertTrue(!Files.exists(tmp.resolve("bad")), "nothing written");
        }
    }

    @Test
    void tomeWithoutAMergingFormOrForAClassifierIsRefused() {
        Result unused = convert(dit().toString(), "--decoder", decoder().toString(), "-o", tmp.resolve("u").toString(),
                "--attention", "keep,elfatt-sd", "--tome", "0.5");
        assertEquals(2, unused.code());
        assertTrue(unused.err().contains("--tome would go unused"), unused.err());

        Path vit = tmp.resolve("vit.onnx");
        VitBuilder.build(new VitConfig(32, 8, 32, 2, 2, 2, 10), new SeededWeights(1), new VanillaAttention()).save(vit);
        Result classifier = convert(vit.toString(), "-o", tmp.resolve("c").toString(), "--attention", "keep,tome");
        assertEquals(2, classifier.code());
        assertTrue(classifier.err().contains("ToMe token merging is built for --task latent-diffusion bundles only"), classifier.err());
        assertTrue(!Files.exists(tmp.resolve("c")), "nothing written");
    }
}
