package io.jedge.runtime.device;

import java.util.Objects;

/**
 * What a command printed on stdout and how it exited.
 *
 * @param exitCode the process exit status; 124 when the runner stopped it at its time limit
 * @param stdout everything written to standard output, possibly partial after a timeout
 */
public record CommandResult(int exitCode, String stdout) {
    /** Exit status used when a command was stopped at its time limit (as coreutils timeout does). */
    public static final int TIMED_OUT = 124;

    public CommandResult {
        Objects.requireNonNull(stdout, "stdout");
    }

    public boolean succeeded() {
        return exitCode == 0;
    }
}
