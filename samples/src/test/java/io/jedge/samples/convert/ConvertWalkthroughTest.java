package io.jedge.samples.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.cli.JedgeCli;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleManifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The steps of samples/convert/walkthrough.sh, through the same CLI, on a small seeded ViT. */
class ConvertWalkthroughTest {
    @TempDir
    Path tmp;

    private String jedge(String... args) {
        CommandLine cl = JedgeCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute(args), String.join(" ", args) + "\n" + err);
        return out.toString();
    }

    @Test
    void exportToBundleWithEveryPrecisionAndAttentionForm() throws Exception {
        Path model = tmp.resolve("vit.onnx");
        jedge("build-model", "vit", "--preset", "micro", "--image-size", "64", "--patch", "8", "--dim", "64", "--heads", "4",
                "--depth", "2", "--classes", "10", "--seed", "1", "-o", model.toString());
        assertTrue(jedge("inspect", model.toString()).contains("2 attention blocks, 2 rewritable"));
        Path bundle = tmp.resolve("bundle");
        jedge("convert", model.toString(), "-o", bundle.toString(), "--precision", "fp32,fp16,int8", "--attention", "keep,elfatt-sd",
                "--calibration-seeded", "8", "--validation-inputs", "4", "--batch", "1:4:8", "--min-cosine", "0.9");
        BundleManifest m = Bundle.load(bundle).manifest();
        assertEquals(Set.of("fp32-vanilla", "fp16-vanilla", "int8-vanilla", "fp32-elfatt-sd", "fp16-elfatt-sd", "int8-elfatt-sd"),
                m.variants().stream().map(v -> v.id()).collect(Collectors.toSet()));
        List<String> reports = m.reports().stream().map(r -> r.kind() + ":" + r.variant()).toList();
        assertTrue(reports.containsAll(List.of("accuracy:int8-vanilla", "accuracy:fp16-vanilla", "fidelity:fp32-elfatt-sd")), reports.toString());
        jedge("bench", bundle.toString(), "--batch", "1", "--seconds", "0.1");
        assertTrue(Bundle.load(bundle).manifest().variants().stream().allMatch(v -> v.figures().size() == 1), "every variant measured");
        String here = jedge("select", bundle.toString());
        assertTrue(here.contains("(measured)"), here);
        String orin = jedge("select", bundle.toString(), "--simulate", "orin-nano-8gb:15W");
        assertTrue(orin.contains("SIMULATED") && orin.contains("(prior)"), orin);
        assertTrue(Files.exists(bundle.resolve("bundle.json")));
    }
}
