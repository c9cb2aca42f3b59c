package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.cli.convert.ConverterCommands;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** On a device install (no converters on the class path) a converter command prints one line and exits 2. */
class DeviceInstallTest {
    @ParameterizedTest
    @ValueSource(strings = {"convert", "inspect", "build-model", "compare", "quickstart"})
    void converterCommandsSayWhatToInstall(String command) {
        CommandLine cl = JedgeCli.commandLine(false);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(command, "model.onnx", "-o", "x.bundle", "--precision", "fp16");
        assertEquals(2, code);
        assertEquals("", out.toString());
        String[] lines = err.toString().strip().split("\n");
        assertEquals(1, lines.length, err.toString());
        assertTrue(lines[0].startsWith("jedge " + command + " needs the jedge converters ("), lines[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "eval", "bench", "select", "build-engines", "generate", "device"})
    void deviceCommandsAreAlwaysThere(String command) {
        assertTrue(JedgeCli.commandLine(false).getSubcommands().containsKey(command));
        assertTrue(ConverterCommands.NAMES.stream().noneMatch(command::equals));
    }

    @org.junit.jupiter.api.Test
    void versionIsTheBuildsWithTheBindings() {
        CommandLine cl = JedgeCli.commandLine(false);
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("--version"));
        String v = io.jedge.sdk.JedgeVersion.get();
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+.*"), "a Maven version, not a placeholder: " + v);
        assertTrue(out.toString().startsWith("jedge " + v + "\n"), out.toString());
        assertTrue(out.toString().contains("ONNX Runtime 1."), out.toString());
        assertTrue(out.toString().matches("(?s).*TensorRT Java bindings (load here|do not load here: .+).*"), out.toString());
    }

    @org.junit.jupiter.api.Test
    void buildEnginesWithoutTensorRtSaysWhyInOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.write(dir.resolve("m.onnx"), new byte[] {1, 2, 3});
        var v = new io.jedge.sdk.bundle.Variant("fp32-vanilla", io.jedge.sdk.bundle.Role.MODEL, "m.onnx", io.jedge.sdk.bundle.VariantFormat.ONNX,
                io.jedge.sdk.bundle.Precision.FP32, io.jedge.sdk.bundle.AttentionKind.VANILLA, 1, 1, 8,
                io.jedge.sdk.bundle.Bundle.sha256(dir.resolve("m.onnx")), 3, io.jedge.sdk.bundle.Fingerprint.portable(),
                java.util.Map.of(), java.util.List.of());
        io.jedge.sdk.bundle.Bundle.write(dir, new io.jedge.sdk.bundle.BundleManifest(io.jedge.sdk.bundle.BundleManifest.SCHEMA_VERSION, "vit",
                io.jedge.sdk.bundle.Task.IMAGE_CLASSIFICATION,
                java.util.List.of(new io.jedge.sdk.bundle.TensorSpec("pixels", "float32", java.util.List.of(-1L, 3L, 32L, 32L))),
                java.util.List.of(new io.jedge.sdk.bundle.TensorSpec("logits", "float32", java.util.List.of(-1L, 10L))),
                io.jedge.sdk.bundle.Preprocessing.imagenet(32), java.util.List.of(), java.util.Map.of(), java.util.List.of(v),
                java.util.List.of(), "test", "2026-12-02T00:00:00Z"));
        CommandLine cl = JedgeCli.commandLine(false);
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        org.junit.jupiter.api.Assumptions.assumeTrue(io.jedge.runtime.backend.trt.build.EngineCache.unavailableReason().isPresent(),
                "TensorRT is usable here");
        assertEquals(1, cl.execute("build-engines", dir.toString()));
        assertTrue(err.toString().startsWith("jedge build-engines: error: cannot build engines here: TensorRT unavailable"), err.toString());
        assertTrue(err.toString().contains("hint: run 'jedge device'"), err.toString());
        assertEquals(2, cl.execute("build-engines", dir.toString(), "--precision", "int8"), "no int8 ONNX variant: a user error");
    }
}
