package io.jedge.cli;

import static io.jedge.cli.GenerateCommandTest.jedge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.cli.GenerateCommandTest.Result;
import io.jedge.runtime.backend.trt.build.TrtEngineBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every convert and generate option of a diffusion bundle is honoured or refused with one line before any work. */
class DiffusionOptionsCliTest {
    @TempDir
    static Path tmp;
    static Path dit;
    static Path dec;
    static Path bundle;

    @BeforeAll
    static void models() {
        dit = tmp.resolve("dit.onnx");
        dec = tmp.resolve("taesd.onnx");
        bundle = tmp.resolve("gen.bundle");
        assertEquals(0, jedge("build-model", "dit", "--preset", "tiny", "--latent", "8", "--classes", "10", "--seed", "3", "-o",
                dit.toString()).code());
        assertEquals(0, jedge("build-model", "vae-decoder", "--seed", "4", "-o", dec.toString()).code());
        Result c = jedge("convert", dit.toString(), "--decoder", dec.toString(), "--task", "latent-diffusion", "-o", bundle.toString(),
                "--batch", "1:2:8");
        assertEquals(0, c.code(), c.err());
    }

    private static Result convert(String... extra) {
        List<String> args = new ArrayList<>(List.of("convert", dit.toString(), "--decoder", dec.toString(), "--task", "latent-diffusion",
                "-o", refusedDir().toString()));
        args.addAll(List.of(extra));
        return jedge(args.toArray(String[]::new));
    }

    private static int calls;

    /** A fresh output folder per call, so that one bundle written by mistake fails only its own check. */
    private static Path refusedDir() {
        return tmp.resolve("refused-" + calls);
    }

    /** Exit 2, the error on one line naming {@code option} (and a hint line), and no bundle written. */
    private static void refused(Result r, String option, String because) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(2, r.err().lines().count(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.contains(option) && first.contains(because), r.err());
        assertFalse(Files.exists(refusedDir()), "nothing written for " + option);
        calls++;
    }

    @Test
    void optionsADiffusionBundleCannotUseAreRefused() {
        refused(convert("--labels", "labels.txt"), "--labels", "generate --class");
        refused(convert("--calibration-seeded", "8", "--precision", "fp32,int8"), "--calibration-seeded", "seeded fp32 generations");
        refused(convert("--agreement-min", "0.9"), "--agreement-min", "--fidelity-min");
        refused(convert("--validation-inputs", "4"), "--validation-inputs", "seeded latents");
        refused(convert("--precision", "int8"), "--precision", "expected fp32 among them");
        refused(convert("--precision", "fp32,int8", "--engines", "tensorrt"), "--profile tensorrt", "symmetric int8");
    }

    @Test
    void optionsThatWouldGoUnusedAreRefused() {
        refused(convert("--workspace", "2048"), "--workspace", "--engines tensorrt");
        refused(convert("--engine-batch", "1:2:4"), "--engine-batch", "--engines tensorrt");
        refused(convert("--block", "64"), "--block", "elfatt-sd");
        refused(convert("--fidelity-min", "0.95"), "--fidelity-min", "elfatt-sd");
        refused(convert("--keep-fp32", "Softmax"), "--keep-fp32", "fp16");
        refused(convert("--min-cosine", "0.999"), "--min-cosine", "fp16");
        refused(convert("--calibrator", "minmax"), "--calibrator", "add int8 to --precision");
        refused(convert("--profile", "tensorrt"), "--profile", "add int8 to --precision");
        refused(convert("--exclude-layers", "blocks.0.*"), "--exclude-layers", "add int8 to --precision");
        refused(convert("--calibration", "x"), "--calibration", "elfatt-sd/tome/fp16/int8");
        refused(jedge("convert", dit.toString(), "-o", refusedDir().toString(), "--pipeline", "steps=4"), "--pipeline",
                "latent-diffusion");
        refused(jedge("convert", dit.toString(), "-o", refusedDir().toString(), "--calibrator", "minmax"), "--calibrator",
                "add int8 to --precision");
        refused(jedge("convert", dit.toString(), "-o", refusedDir().toString(), "--calibration", "x.npy"), "--calibration",
                "fp16/int8/elfatt-sd");
        refused(jedge("convert", dit.toString(), "--decoder", dec.toString(), "--task", "generic", "-o",
                refusedDir().toString()), "--decoder", "--task latent-diffusion");
    }

    @Test
    void int8OptionsReachTheInt8Denoiser() throws Exception {
        Path out = tmp.resolve("int8.bundle");
        Result r = jedge("convert", dit.toString(), "--decoder", dec.toString(), "--task", "latent-diffusion", "-o", out.toString(),
                "--batch", "1:2:8", "--precision", "fp32,int8", "--calibrator", "minmax", "--exclude-layers", "blocks.1.*",
                "--max-auto-exclude", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("int8: built for the denoiser only; the decoder stays fp32"), r.out());
        io.jedge.sdk.bundle.Variant v = io.jedge.sdk.bundle.Bundle.load(out).manifest().variant("int8-vanilla")
                .orElseThrow(() -> new AssertionError(r.out()));
        assertEquals("minmax", v.attributes().get("calibrator"));
        io.jedge.sdk.bundle.Report rep = io.jedge.sdk.bundle.Bundle.load(out).manifest().reports().stream()
                .filter(x -> x.variant().equals("int8-vanilla")).findFirst().orElseThrow();
        assertTrue(rep.notes().contains("float: blocks.1.attn.qkv (excluded by --exclude-layers)"), rep.notes().toString());
    }

    @Test
    void enginesWithoutTensorRtFailWithTheClassifiersMessage() {
        Assumptions.assumeTrue(TrtEngineBuilder.unavailableReason().isPresent(), "TensorRT is present: the GPU run covers engines");
        Result r = convert("--engines", "tensorrt");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("jedge convert: error: --engines tensorrt: TensorRT unavailable") && r.err().lines().count() == 2,
                r.err());
        assertFalse(Files.exists(refusedDir()));
        assertEquals("", r.out(), "no variant was built first");
    }

    @Test
    void generateChecksItsOptionsBeforeTheFirstStep() throws Exception {
        Path png = tmp.resolve("x.png");
        Result cls = jedge("generate", bundle.toString(), "--class", "10", "-o", png.toString());
        assertEquals(2, cls.code(), cls.err());
        assertTrue(cls.err().lines().findFirst().orElse("").contains("--class 10, expected 0..9"), cls.err());
        assertEquals(2, cls.err().lines().count(), "one line and a hint: " + cls.err());
        assertFalse(cls.out().contains("step "), "no denoising step ran: " + cls.out());
        Result steps = jedge("generate", bundle.toString(), "--class", "1", "--steps", "0", "-o", png.toString());
        assertEquals(2, steps.code());
        assertTrue(steps.err().contains("--steps 0, expected at least 1"), steps.err());
        Result guidance = jedge("generate", bundle.toString(), "--class", "1", "--guidance", "NaN", "-o", png.toString());
        assertEquals(2, guidance.code());
        assertTrue(guidance.err().contains("'--guidance': 'NaN' is not a finite number"), guidance.err());
        Result typo = jedge("generate", bundle.toString(), "--class", "1", "--steps", "many", "-o", png.toString());
        assertEquals(2, typo.code());
        assertEquals(2, typo.err().lines().count(), "one line and a hint, not the usage text: " + typo.err());
        assertTrue(typo.err().contains("--steps") && typo.err().contains("many"), typo.err());
        Result backend = jedge("generate", bundle.toString(), "--class", "1", "--backend", "cuda", "-o", png.toString());
        assertEquals(2, backend.code());
        assertTrue(backend.err().contains("--backend cuda, expected auto, ort-cpu or tensorrt"), backend.err());
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        Result out = jedge("generate", bundle.toString(), "--class", "1", "-o", file.resolve("x.png").toString());
        assertEquals(2, out.code());
        assertTrue(out.err().contains("cannot be written") && out.err().contains(file + " is a file, not a folder"), out.err());
        Result jpg = jedge("generate", bundle.toString(), "--class", "1", "-o", tmp.resolve("x.jpg").toString());
        assertEquals(2, jpg.code(), jpg.out() + jpg.err());
        assertTrue(jpg.err().startsWith("jedge generate: error: --output " + tmp.resolve("x.jpg") + ": generate writes PNG images;"
                + " give a file name ending in .png"), jpg.err());
        assertFalse(Files.exists(tmp.resolve("x.jpg")) || jpg.out().contains("step "), "refused before any work: " + jpg.out());
        Result dir = jedge("generate", bundle.toString(), "--class", "1", "-o", tmp.toString());
        assertEquals(2, dir.code());
        assertTrue(dir.err().contains("is a folder"), dir.err());
        assertFalse(Files.exists(png));
    }

    /** select shows a diffusion bundle's denoiser and decoder choices; --role model is refused naming the roles it has. */
    @Test
    void selectShowsTheDenoiserAndTheDecoder() {
        Result r = jedge("select", bundle.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("denoiser chosen: fp32-vanilla") && r.out().contains("decoder chosen: fp32-decoder"), r.out());
        Result model = jedge("select", bundle.toString(), "--role", "model");
        assertEquals(2, model.code(), model.out() + model.err());
        assertTrue(model.err().startsWith("jedge select: error: --role model: bundle 'dit' has no model variant; its roles are denoiser,"
                + " decoder"), model.err());
        Result one = jedge("select", bundle.toString(), "--role", "decoder");
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().startsWith("chosen: fp32-decoder") && !one.out().contains("denoiser"), one.out());
    }

    /** bench times the denoiser and skips the dynamic-size decoder with the reason (it failed there, losing every figure). */
    @Test
    void benchSkipsTheDynamicDecoderAndKeepsTheDenoisersFigures() {
        Result r = jedge("bench", bundle.toString(), "--batch", "1", "--seconds", "0.05", "--no-record");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fp32-vanilla ") && l.contains("p50")), r.out());
        assertTrue(r.out().contains("skip fp32-decoder: input 'latents': dimension 2 of [-1, 4, -1, -1] is dynamic; only a dynamic batch"
                + " can be seeded (bench seeds only the batch)"), r.out());
    }

    /** run on a diffusion bundle says which command takes it. */
    @Test
    void runOnADiffusionBundleNamesGenerate() throws Exception {
        Path f32 = Files.write(tmp.resolve("x.f32"), new byte[4 * 4 * 8 * 8]);
        Result r = jedge("run", bundle.toString(), "--input", f32.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().lines().findFirst().orElse("").contains("task latent-diffusion")
                && r.err().contains("(on the command line: jedge generate)"), r.err());
    }

    /**
     * The class is judged from bundle.json before the models load (on a device the load may build engines for minutes):
     * with a damaged denoiser file, the class error comes first, and a good class gets the load's digest error.
     */
    @Test
    void theClassIsCheckedBeforeTheModelsLoad() throws Exception {
        Path copy = tmp.resolve("damaged.bundle");
        Files.createDirectories(copy);
        try (var files = Files.list(bundle)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Files.write(copy.resolve("fp32-vanilla.onnx"), new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        Result far = jedge("generate", copy.toString(), "--class", "10", "-o", tmp.resolve("d.png").toString());
        assertEquals(2, far.code(), far.out() + far.err());
        assertTrue(far.err().startsWith("jedge generate: error: --class 10, expected 0..9 (bundle 'dit' has 10 classes)"), far.err());
        Result none = jedge("generate", copy.toString(), "-o", tmp.resolve("d.png").toString());
        assertTrue(none.err().contains("is class-conditional (null class 10); give --class N or --unconditional"), none.err());
        Result good = jedge("generate", copy.toString(), "--class", "1", "-o", tmp.resolve("d.png").toString());
        assertTrue(good.code() != 0 && good.err().contains("sha256"), "the load still checks the files: " + good.err());
    }

    /** A bundle with a ToMe denoiser beside the vanilla one, converted once. */
    private static synchronized Path tomeBundle() {
        Path tome = tmp.resolve("tome.bundle");
        if (!Files.exists(tome)) {
            Result c = jedge("convert", dit.toString(), "--decoder", dec.toString(), "--task", "latent-diffusion", "-o", tome.toString(),
                    "--batch", "1:2:8", "--attention", "keep,tome");
            assertEquals(0, c.code(), c.err());
        }
        return tome;
    }

    /** A forced denoiser that no step would run is refused, not ignored. */
    @Test
    void aForcedDenoiserNoStepRunsIsRefused() {
        Result vanilla = jedge("generate", tomeBundle().toString(), "--class", "1", "--steps", "4", "--variant", "fp32-vanilla",
                "--elfatt-steps", "1", "-o", tmp.resolve("fv.png").toString());
        assertEquals(2, vanilla.code(), vanilla.out() + vanilla.err());
        assertTrue(vanilla.err().startsWith("jedge generate: error: --variant fp32-vanilla runs the vanilla steps, and --elfatt-steps 1.0"
                + " gives all 4 steps to fp32-tome; lower --elfatt-steps"), vanilla.err());
        Result fast = jedge("generate", tomeBundle().toString(), "--class", "1", "--steps", "4", "--variant", "fp32-tome",
                "--elfatt-steps", "0", "-o", tmp.resolve("ff.png").toString());
        assertEquals(2, fast.code(), fast.out() + fast.err());
        assertTrue(fast.err().contains("--variant fp32-tome runs the first --elfatt-steps fraction of the steps, and --elfatt-steps 0.0"
                + " is 0 of 4 steps; raise --elfatt-steps"), fast.err());
        assertFalse(vanilla.out().contains("step ") || fast.out().contains("step "), "refused before any step");
        Result ok = jedge("generate", tomeBundle().toString(), "--class", "1", "--steps", "4", "--variant", "fp32-tome",
                "--elfatt-steps", "1", "-o", tmp.resolve("fok.png").toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("4 ToMe + 0 vanilla steps"), ok.out());
    }

    /** The summary line names the attention the early steps run: ToMe here, not ELFATT-SD. */
    @Test
    void theSummaryNamesTheFastDenoisersAttention() {
        Path tome = tomeBundle();
        Result g = jedge("generate", tome.toString(), "--class", "3", "--steps", "5", "--elfatt-steps", "0.4", "--variant", "fp32-tome",
                "-o", tmp.resolve("tome.png").toString());
        assertEquals(0, g.code(), g.err());
        String summary = g.out().lines().filter(l -> l.startsWith("bundle ")).findFirst().orElseThrow(() -> new AssertionError(g.out()));
        assertTrue(summary.endsWith("ToMe for the first 2 steps") && !summary.contains("ELFATT-SD"), summary);
        assertTrue(g.out().contains("2 ToMe + 3 vanilla steps"), g.out());
    }

    @Test
    void aDynamicDecoderServesTheDenoisersLatentSize() throws Exception {
        Path png = tmp.resolve("ok.png");
        Result g = jedge("generate", bundle.toString(), "--class", "3", "--steps", "2", "--backend", "ort-cpu", "-o", png.toString());
        assertEquals(0, g.code(), g.err());
        String step = g.out().lines().filter(l -> l.startsWith("step   2/2")).findFirst().orElseThrow(() -> new AssertionError(g.out()));
        assertTrue(step.contains(" s/step") && step.endsWith("fp32-vanilla@ort-cpu"), "time per step and the denoiser that ran it: " + step);
        assertTrue(g.out().contains("wrote " + png + " (64x64)"), g.out());
    }
}
