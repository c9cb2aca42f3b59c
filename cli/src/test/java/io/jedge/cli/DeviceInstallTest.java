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
    @ValueSource(strings = {"run", "eval", "bench", "select", "generate", "device"})
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
}
