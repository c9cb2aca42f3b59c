package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** --threads, --simulate, --variant and --verbose mean one thing: one declaration, one help text, wherever they appear. */
class SharedOptionsTest {
    static final List<String> SHARED = List.of("--threads", "--simulate", "--variant", "--verbose");

    /** option name -> the distinct help texts it has across all commands; and option name -> the commands that take it. */
    static void collect(CommandLine cl, Map<String, TreeSet<String>> helps, Map<String, List<String>> users) {
        for (OptionSpec o : cl.getCommandSpec().options()) {
            for (String n : o.names()) {
                if (SHARED.contains(n)) {
                    helps.computeIfAbsent(n, k -> new TreeSet<>()).add(String.join(" ", o.description()));
                    users.computeIfAbsent(n, k -> new ArrayList<>()).add(cl.getCommandName());
                }
            }
        }
        cl.getSubcommands().values().forEach(sub -> collect(sub, helps, users));
    }

    @Test
    void eachSharedOptionHasOneHelpTextEverywhere() {
        Map<String, TreeSet<String>> helps = new TreeMap<>();
        Map<String, List<String>> users = new TreeMap<>();
        collect(JedgeCli.commandLine(true), helps, users);
        assertEquals(new TreeSet<>(SHARED), new TreeSet<>(helps.keySet()), "every shared option is used somewhere");
        helps.forEach((name, texts) -> {
            assertEquals(1, texts.size(), name + " has several help texts: " + texts);
            assertTrue(!texts.first().isBlank(), name + " has no help text");
        });
        assertTrue(users.get("--threads").containsAll(List.of("run", "eval", "bench", "generate", "quickstart")), users.toString());
        assertTrue(users.get("--simulate").containsAll(List.of("run", "generate", "select")), users.toString());
        assertTrue(users.get("--variant").containsAll(List.of("run", "generate")), users.toString());
        assertTrue(users.get("--verbose").containsAll(List.of("jedge", "run", "convert", "quickstart")), "inherited: " + users);
    }

    @Test
    void theSharedOptionsAreDeclaredOnlyInDeviceFlags() throws Exception {
        for (Class<?> c : List.of(RunCommand.class, GenerateCommand.class, EvalCommand.class, BenchCommand.class, SelectCommand.class,
                JedgeCli.class, Class.forName("io.jedge.cli.convert.QuickstartCommand"))) {
            Arrays.stream(c.getDeclaredFields()).map(f -> f.getAnnotation(CommandLine.Option.class)).filter(o -> o != null)
                    .flatMap(o -> Arrays.stream(o.names()))
                    .forEach(n -> assertTrue(!SHARED.contains(n), c.getSimpleName() + " declares " + n + " itself; use the DeviceFlags mixin"));
        }
    }

    @Test
    void quickstartTakesThreads() {
        CommandLine.ParseResult r = JedgeCli.commandLine(true).parseArgs("quickstart", "--threads", "3");
        assertEquals(3, (int) r.subcommand().matchedOptionValue("--threads", 0));
    }
}
