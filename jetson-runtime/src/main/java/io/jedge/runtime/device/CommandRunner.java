package io.jedge.runtime.device;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs an external command ({@code nvpmodel -q}, {@code dpkg-query}, {@code nvidia-smi},
 * {@code tegrastats}) and returns its exit status and stdout. Implementations never read from the
 * caller's stdin: nvpmodel waits for an interactive answer when it has one.
 *
 * <p>Implementations must be safe to call from several threads.
 */
@FunctionalInterface
public interface CommandRunner {

    /**
     * Runs {@code command} (program first, then its arguments).
     *
     * @throws IOException if the program cannot be started (for example it is not installed)
     */
    CommandResult run(List<String> command) throws IOException;

    /** Runs real processes, each stopped after 4 seconds (the limit jtop uses for nvpmodel). */
    static CommandRunner system() {
        return new SystemCommandRunner(Duration.ofSeconds(4));
    }

    /** Runs real processes, each stopped after {@code timeout}. */
    static CommandRunner system(Duration timeout) {
        return new SystemCommandRunner(timeout);
    }

    /**
     * Replays outputs captured from a device: the stdout of a command is the file
     * {@code <dir>/<key>.out}, where the key is {@link #captureKey(List)}; an optional
     * {@code <key>.rc} holds the exit status (default 0). A command without a file fails to start,
     * as if it were not installed.
     */
    static CommandRunner captured(Path dir) {
        return new CapturedCommandRunner(dir, FileAccess.DEFAULT);
    }

    /** A runner for which every command is missing. */
    static CommandRunner none() {
        return command -> {
            throw new IOException("command '" + String.join(" ", command) + "' not available: commands are disabled");
        };
    }

    /**
     * The file name (without extension) a captured output of {@code command} is stored under: the
     * words joined by {@code _}, with every character other than letters, digits, {@code .},
     * {@code =} and {@code -} replaced by {@code _}. For example {@code nvpmodel -q} is
     * {@code nvpmodel_-q}.
     */
    static String captureKey(List<String> command) {
        return String.join("_", command).replaceAll("[^A-Za-z0-9.=-]", "_");
    }
}
