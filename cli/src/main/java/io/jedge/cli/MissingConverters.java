package io.jedge.cli;

import io.jedge.sdk.JedgeVersion;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** Stands in for a converter command on an install without the converters: one line, exit 2. */
@Command(description = "Needs the jedge converters, which are not installed here.")
final class MissingConverters implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Unmatched
    List<String> ignored;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(message(spec.name()));
        spec.commandLine().getErr().flush();
        return 2;
    }

    static String message(String command) {
        return "jedge " + command + " needs the jedge converters (the jedge-" + JedgeVersion.get()
                + "-host distribution or the jedge-converters jar on the class path)";
    }
}
