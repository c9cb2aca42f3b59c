package io.jedge.runtime.device;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs real processes with stdin closed, stderr discarded and a time limit. */
final class SystemCommandRunner implements CommandRunner {
    private final Duration timeout;

    SystemCommandRunner(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("command timeout " + timeout + ", expected a positive duration");
        }
        this.timeout = timeout;
    }

    @Override
    public CommandResult run(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        // Read stdout on another thread so a command that never exits (tegrastats) cannot block us.
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running '" + String.join(" ", command) + "'", e);
        }
        if (!finished) {
            p.destroyForcibly();
        }
        String stdout;
        try {
            stdout = out.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stdout = "";
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            stdout = "";
        }
        return new CommandResult(finished ? p.exitValue() : CommandResult.TIMED_OUT, stdout);
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
