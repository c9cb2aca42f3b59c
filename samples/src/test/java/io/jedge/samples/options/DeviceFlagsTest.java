package io.jedge.samples.options;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.samples.classify.ClassifyApp;
import io.jedge.samples.generate.GenerateApp;
import io.jedge.samples.powerbench.PowerBench;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** --threads and --simulate mean in the samples what they mean in the CLI: declared once, with the CLI's words. */
class DeviceFlagsTest {
    static final List<String> SHARED = List.of("--threads", "--simulate");

    private static Option option(Class<?> mixin) {
        List<Option> found = Arrays.stream(mixin.getDeclaredFields()).map(f -> f.getAnnotation(Option.class))
                .filter(o -> o != null).toList();
        assertEquals(1, found.size(), mixin.getName());
        return found.get(0);
    }

    @Test
    void eachMixinMatchesTheCliDeclaration() throws Exception {
        Map<Class<?>, String> cliTwin = Map.of(DeviceFlags.Threads.class, "io.jedge.cli.DeviceFlags$Threads",
                DeviceFlags.Simulate.class, "io.jedge.cli.DeviceFlags$Simulate");
        for (Map.Entry<Class<?>, String> e : cliTwin.entrySet()) {
            Option ours = option(e.getKey());
            Option cli = option(Class.forName(e.getValue()));
            assertArrayEquals(cli.names(), ours.names(), e.getValue());
            assertArrayEquals(cli.description(), ours.description(), e.getValue());
            assertEquals(cli.defaultValue(), ours.defaultValue(), e.getValue());
            assertEquals(cli.paramLabel(), ours.paramLabel(), e.getValue());
        }
    }

    @Test
    void noSampleDeclaresTheSharedOptionsItself() {
        for (Class<?> c : List.of(ClassifyApp.class, GenerateApp.class, PowerBench.class)) {
            for (Field f : c.getDeclaredFields()) {
                Option o = f.getAnnotation(Option.class);
                if (o != null) {
                    Arrays.stream(o.names()).forEach(n -> assertTrue(!SHARED.contains(n),
                            c.getSimpleName() + " declares " + n + " itself; use the DeviceFlags mixin"));
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
}
