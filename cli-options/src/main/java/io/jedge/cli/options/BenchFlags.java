package io.jedge.cli.options;

import java.util.Map;

/**
 * The command-line flag of each benchmark parameter the bench library names in its errors
 * ({@code BenchOptionException.parameter()}), for every front end that runs the bench ({@code jedge bench},
 * {@code jedge quickstart}, the power-mode sample), so the user reads the flag they typed.
 */
public final class BenchFlags {
    /** Parameter (a record component of {@code BundleBenchOptions} or {@code BatcherBench.Plan}) → flag. */
    public static final Map<String, String> FLAGS = Map.of("batches", "--batch", "seconds", "--seconds", "threads", "--threads",
            "maxBatch", "--batcher", "clients", "--clients", "rounds", "--rounds", "openLoopRates", "--open-loop",
            "asyncClients", "--async-clients");

    private BenchFlags() {
    }

    /** The flag of {@code parameter}, or the parameter itself where no front end has a flag for it. */
    public static String flag(String parameter) {
        return FLAGS.getOrDefault(parameter, parameter);
    }
}
