package io.jedge.cli.options;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options several commands share, each declared once here as a picocli mixin so that its name,
 * default and help text agree wherever it appears ({@code @Mixin DeviceFlags.Threads threads;}):
 * the {@code jedge} commands and the sample apps.
 */
public final class DeviceFlags {
    private DeviceFlags() {
    }

    /** {@code --threads}. */
    public static final class Threads {
        @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
                description = "Intra-op CPU threads per model run (0: all cores).")
        int threads;

        public int threads() {
            return threads;
        }
    }

    /** {@code --simulate}. */
    public static final class Simulate {
        @Option(names = "--simulate", paramLabel = "MODULE:MODE",
                description = "Choose variants as that device and power mode would, e.g. orin-nano-8gb:15W (runs here).")
        String simulate;

        /** The device to simulate, or null for this host. */
        public String simulate() {
            return simulate;
        }
    }

    /** {@code --variant}. */
    public static final class ForcedVariant {
        @Option(names = "--variant", paramLabel = "ID",
                description = "Force this variant id instead of letting the runtime choose ('jedge select BUNDLE' lists them).")
        String variant;

        /** The forced variant id, or null to let the runtime choose. */
        public String variant() {
            return variant;
        }
    }

    /** {@code --verbose}, on the top command and inherited by every subcommand. */
    public static final class Verbose {
        public static final String NAME = "--verbose";

        @Option(names = NAME, scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
        boolean verbose;

        public boolean verbose() {
            return verbose;
        }
    }
}
