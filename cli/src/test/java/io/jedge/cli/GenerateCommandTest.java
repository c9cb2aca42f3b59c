package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Task;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** build-model → convert --task latent-diffusion → generate, all through the jedge command line. */
class GenerateCommandTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result jedge(String... args) {
        CommandLine cl = JedgeCli.commandLine();
        if (!cl.getSubcommands().containsKey("generate")) {
            cl.addSubcommand("generate", new GenerateCommand());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path bundle() {
        Path dit = tmp.resolve("dit.onnx");
        Path dec = tmp.resolve("taesd.onnx");
        Path bundle = tmp.resolve("gen.bundle");
        Result d = jedge("build-model", "dit", "--preset", "tiny", "--latent", "8", "--classes", "10", "--seed", "3", "-o", dit.toString());
        assertEquals(0, d.code(), d.err());
        Result v = jedge("build-model", "vae-decoder", "--latent", "8", "--seed", "4", "-o", dec.toString());
        assertEquals(0, v.code(), v.err());
        Result c = jedge("convert", dit.toString(), "--decoder", dec.toString(), "--task", "latent-diffusion", "-o", bundle.toString(),
                "--attention", "keep,elfatt-sd", "--batch", "1:2:8");
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("fp32-vanilla") && c.out().contains("fp32-elfatt-sd") && c.out().contains("fp32-decoder"), c.out());
        assertTrue(c.out().contains("predicted-noise cosine t=999"), c.out());
        return bundle;
    }

    @Test
    void convertsAndGeneratesAPng() throws Exception {
        Path bundle = bundle();
        Bundle b = Bundle.load(bundle);
        assertEquals(Task.LATENT_DIFFUSION, b.manifest().task());
        assertEquals(2, b.manifest().variants(Role.DENOISER).size());
        assertEquals(1, b.manifest().variants(Role.DECODER).size());
        assertEquals("10", b.manifest().pipeline().get("nullClass"));
        assertEquals("0..1", b.manifest().pipeline().get("decoderRange"));
        Report fidelity = b.manifest().reports().stream().filter(r -> r.variant().equals("fp32-elfatt-sd")).findFirst().orElseThrow();
        assertEquals("fp32-vanilla", fidelity.reference());
        for (String t : new String[] {"999", "500", "100"}) {
            double cos = fidelity.metrics().get("noiseCosine_t" + t);
            assertTrue(cos > 0.5 && cos <= 1.0 + 1e-9, "noise cosine at t=" + t + ": " + cos);
        }

        Path png = tmp.resolve("out.png");
        Result g = jedge("generate", bundle.toString(), "--class", "3", "--steps", "5", "--guidance", "4", "--seed", "1",
                "-o", png.toString(), "--scheduler", "ddim");
        assertEquals(0, g.code(), g.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(64, img.getWidth());
        assertEquals(64, img.getHeight());
        assertTrue(g.out().contains("step   1/5") && g.out().contains("step   5/5"), g.out());
        assertTrue(g.out().lines().filter(l -> l.startsWith("step ")).count() == 5, g.out());
        // floor(0.2 * 5) = 1 ELFATT-SD step, then vanilla
        assertTrue(g.out().lines().filter(l -> l.startsWith("step   1/5")).findFirst().orElseThrow().contains("elfatt-sd"), g.out());
        assertTrue(g.out().lines().filter(l -> l.startsWith("step   2/5")).findFirst().orElseThrow().contains("vanilla"), g.out());
        assertTrue(g.out().contains("1 ELFATT-SD + 4 vanilla steps"), g.out());

        Path again = tmp.resolve("again.png");
        Result g2 = jedge("generate", bundle.toString(), "--class", "3", "--steps", "5", "--guidance", "4", "--seed", "1",
                "-o", again.toString(), "--scheduler", "ddim");
        assertEquals(0, g2.code(), g2.err());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(png), Files.readAllBytes(again)), "same seed, same PNG");

        Path vanillaOnly = tmp.resolve("vanilla.png");
        Result g3 = jedge("generate", bundle.toString(), "--class", "3", "--steps", "5", "--seed", "1", "--elfatt-steps", "0",
                "-o", vanillaOnly.toString(), "--scheduler", "ddim");
        assertEquals(0, g3.code(), g3.err());
        assertTrue(g3.out().contains("0 ELFATT-SD + 5 vanilla steps"), g3.out());
    }

    @Test
    void userErrorsAreOneLine() throws Exception {
        Path bundle = bundle();
        Result noClass = jedge("generate", bundle.toString(), "-o", tmp.resolve("x.png").toString());
        assertEquals(2, noClass.code(), noClass.out() + noClass.err());
        assertTrue(noClass.err().contains("class-conditional") && noClass.err().contains("--unconditional"), noClass.err());
        Result badScheduler = jedge("generate", bundle.toString(), "--class", "1", "--scheduler", "heun", "-o", tmp.resolve("y.png").toString());
        assertEquals(2, badScheduler.code());
        assertTrue(badScheduler.err().contains("expected one of ddim, euler, euler-a, dpm++2m"), badScheduler.err());
        assertFalse(Files.exists(tmp.resolve("y.png")));
        Result farClass = jedge("generate", bundle.toString(), "--class", "5000", "-o", tmp.resolve("c.png").toString());
        assertEquals(2, farClass.code(), farClass.err());
        assertTrue(farClass.err().startsWith("jedge generate: error: --class 5000, expected 0..9 (bundle 'dit' has 10 classes)"),
                farClass.err());
        assertTrue(farClass.out().lines().noneMatch(l -> l.startsWith("step ")), "refused before any step: " + farClass.out());
        Result guided = jedge("generate", bundle.toString(), "--unconditional", "--guidance", "7", "-o", tmp.resolve("u.png").toString());
        assertEquals(2, guided.code(), guided.err());
        assertTrue(guided.err().startsWith("jedge generate: error: --guidance 7.0 needs a class; unconditional generation runs"
                + " without guidance: drop --guidance, or give --class N instead of --unconditional"), guided.err());
        assertTrue(guided.out().isEmpty(), "refused before the bundle loads: " + guided.out());
        assertFalse(Files.exists(tmp.resolve("u.png")));
        Result typo = jedge("generate", bundle.toString(), "--class", "1", "--variant", "nope", "-o", tmp.resolve("v.png").toString());
        assertEquals(2, typo.code(), typo.err());
        assertTrue(typo.err().startsWith("jedge generate: error: variant 'nope' is not in bundle 'dit'; its variants are ")
                && typo.err().contains("fp32-decoder") && !typo.err().contains("jedge device"), typo.err());
        assertFalse(Files.exists(tmp.resolve("c.png")) || Files.exists(tmp.resolve("v.png")));
        Result noDecoder = jedge("convert", tmp.resolve("dit.onnx").toString(), "--task", "latent-diffusion", "-o", tmp.resolve("z").toString());
        assertEquals(2, noDecoder.code());
        assertTrue(noDecoder.err().contains("--decoder"), noDecoder.err());
    }

    @Test
    void summaryNamesTheAttentionTheEarlyStepsRan() {
        assertEquals("ToMe", io.jedge.sdk.bundle.AttentionKind.TOME.displayName());
        assertEquals("ELFATT-SD+ToMe", io.jedge.sdk.bundle.AttentionKind.ELFATT_SD_TOME.displayName());
        assertEquals("ELFATT-SD", io.jedge.sdk.bundle.AttentionKind.ELFATT_SD.displayName());
    }
}
