package io.jedge.samples.options;

import picocli.CommandLine.Option;

/**
 * The options the sample apps share, declared once here as picocli mixins
 * ({@code @Mixin DeviceFlags.Threads threads;}). They mirror {@code io.jedge.cli.DeviceFlags}
 * (names, defaults, help text): the samples may not depend on the CLI, and a test checks that the two
 * agree.
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
}
