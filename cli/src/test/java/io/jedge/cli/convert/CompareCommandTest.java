package io.jedge.cli.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.cli.JedgeCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CompareCommandTest {
    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        CommandLine cl = JedgeCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void aVariantComparedWithItselfLayerByLayerNeverParts() {
        Path model = tmp.resolve("vit.onnx");
        String[] b = run("build-model", "vit", "--preset", "micro", "--image-size", "32", "--patch", "8", "--dim", "32",
                "--heads", "2", "--depth", "1", "--classes", "10", "--seed", "5", "-o", model.toString());
        assertEquals("0", b[0], b[2]);
        Path bundle = tmp.resolve("b");
        String[] c = run("convert", model.toString(), "-o", bundle.toString(), "--attention", "keep");
        assertEquals("0", c[0], c[2]);

        String[] r = run("compare", bundle.toString(), "--variants", "fp32-vanilla,fp32-vanilla", "--layerwise", "--samples", "2");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("2 input(s)") && r[1].contains("cosine 1.000000") && r[1].contains("max abs 0"), r[1]);
        assertTrue(r[1].contains("top-1 agreement 1.0000") && r[1].contains("no layer parts from A"), r[1]);
        assertTrue(r[1].matches("(?s).*\\n\\d+ shared intermediate tensors compared\\n.*"), r[1]);
    }
}
