package io.jedge.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.samples.classify.ClassifyApp;
import io.jedge.samples.generate.GenerateApp;
import io.jedge.samples.powerbench.PowerBench;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** --threads and --simulate mean in the samples what they mean in the CLI: both take them from io.jedge.cli.options.DeviceFlags. */
class SharedOptionsTest {
    static final List<String> SHARED = List.of("--threads", "--simulate", "--steps", "--guidance", "--elfatt-steps", "--scheduler");

    @Test
    void noSampleDeclaresTheSharedOptionsItself() {
        for (Class<?> c : List.of(ClassifyApp.class, GenerateApp.class, PowerBench.class)) {
            for (Field f : c.getDeclaredFields()) {
                Option o = f.getAnnotation(Option.class);
                if (o != null) {
                    Arrays.stream(o.names()).forEach(n -> assertTrue(!SHARED.contains(n),
                            c.getSimpleName() + " declares " + n + " itself; use the DeviceFlags or GenerationFlags mixin"));
                }
            }
        }
    }

    @Test
    void theSamplesTakeThemThroughTheMixins() {
        CommandLine classify = new CommandLine(new ClassifyApp());
        CommandLine.ParseResult r = classify.parseArgs("b", "d", "--threads", "3", "--simulate", "orin-nano-8gb:15W");
        assertEquals(3, (int) r.matchedOptionValue("--threads", 0));
        assertEquals("orin-nano-8gb:15W", r.matchedOptionValue("--simulate", ""));
        assertEquals(2, (int) new CommandLine(new GenerateApp()).parseArgs("b", "-o", "x", "--threads", "2")
                .matchedOptionValue("--threads", 0));
        assertEquals(4, (int) new CommandLine(new PowerBench()).parseArgs("b", "--threads", "4").matchedOptionValue("--threads", 0));
        assertTrue(new CommandLine(new PowerBench()).getCommandSpec().findOption("--simulate") == null,
                "power-bench's list of modules is --simulate-modules, not MODULE:MODE");
    }

    @Test
    void generateTakesTheSamplingOptionsTheCliTakes() {
        CommandLine.ParseResult r = new CommandLine(new GenerateApp()).parseArgs("b", "-o", "x", "--steps", "7", "--elfatt-steps", "0.4",
                "--scheduler", "ddim", "--guidance", "3");
        assertEquals(7, (int) r.matchedOptionValue("--steps", 0));
        assertEquals(0.4, r.matchedOptionValue("--elfatt-steps", 0.0), 1e-12);
    }
}
