package io.jedge.cli.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.cli.JedgeCli;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jedge convert} passes its FP16/INT8 options through to the converter. */
class ConvertPrecisionOptionsTest {
    @TempDir
    Path tmp;

    private Path model() {
        Path p = tmp.resolve("vit.onnx");
        VitBuilder.build(new VitConfig(32, 8, 32, 2, 2, 2, 10), new SeededWeights(1), new VanillaAttention()).save(p);
        return p;
    }

    @Test
    void cliWiresThePrecisionOptions() {
        Path m = model();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = JedgeCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("convert", m.toString(), "-o", tmp.resolve("cli").toString(), "--precision", "int8",
                "--calibration-seeded", "4", "--validation-inputs", "4", "--calibrator", "minmax", "--profile", "tensorrt",
                "--exclude-layers", "blocks.1.*");
        assertEquals(0, rc, err.toString());
        assertTrue(out.toString().contains("int8-vanilla"), out.toString());
        Variant v = loadVariants(tmp.resolve("cli")).get(0);
        assertEquals("tensorrt", v.attributes().get("profile"));
        assertEquals("minmax", v.attributes().get("calibrator"));
        assertEquals("4", v.attributes().get("quantizedLayers")); // 8 encoder layers minus blocks.1.*

        rc = cl.execute("convert", m.toString(), "-o", tmp.resolve("cli2").toString(), "--precision", "int8",
                "--calibration-seeded", "4", "--validation-inputs", "4", "--min-cosine", "0.99999", "--max-auto-exclude", "0");
        assertEquals(2, rc, "user error exit code");
        assertTrue(err.toString().contains("--exclude-layers blocks."), err.toString());
    }

    private static List<Variant> loadVariants(Path dir) {
        try {
            return Bundle.load(dir).manifest().variants();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
