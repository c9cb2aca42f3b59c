package io.jedge.runtime.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Replays command outputs stored as files; see {@link CommandRunner#captured(Path)}. */
final class CapturedCommandRunner implements CommandRunner {
    private final Path dir;
    private final FileAccess files;

    CapturedCommandRunner(Path dir, FileAccess files) {
        this.dir = dir;
        this.files = files;
    }

    @Override
    public CommandResult run(List<String> command) throws IOException {
        String key = CommandRunner.captureKey(command);
        Path out = dir.resolve(key + ".out");
        byte[] stdout;
        try {
            stdout = files.readAllBytes(out);
        } catch (NoSuchFileException e) {
            throw new IOException("command '" + String.join(" ", command) + "' not captured (no " + out + ")", e);
        }
        int rc = 0;
        Path rcFile = dir.resolve(key + ".rc");
        if (files.exists(rcFile)) {
            String text = new String(files.readAllBytes(rcFile), StandardCharsets.UTF_8).trim();
            try {
                rc = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IOException("captured exit status " + rcFile + " holds '" + text + "', expected an integer", e);
            }
        }
        return new CommandResult(rc, new String(stdout, StandardCharsets.UTF_8));
    }
}
