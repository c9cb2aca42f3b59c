package io.jedge.cli;

import picocli.CommandLine.Option;

/** Options several device commands share, declared once so their names, defaults and help agree. */
final class DeviceFlags {
    private DeviceFlags() {
    }

    /** {@code --threads}. */
    static final class Threads {
        @Option(names = "--threads", defaultValue = "0", description = "Intra-op CPU threads per model run (0: all cores).")
        int threads;
    }

    /** {@code --simulate}. */
    static final class Simulate {
        @Option(names = "--simulate", paramLabel = "MODULE:MODE",
                description = "Choose variants as that device and power mode would, e.g. orin-nano-8gb:15W (runs here).")
        String simulate;
    }
}
