package io.jedge.runtime.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where device and power code reads from: a root directory (normally {@code /}, in tests and
 * support cases a captured tree), a {@link FileAccess} and a {@link CommandRunner}. It says how the
 * host is read, not what the host is: that question has one answer,
 * {@code io.jedge.runtime.model.Environment}.
 *
 * <p>The read helpers never throw for missing or unreadable files: they return an empty result
 * and, for anything other than "does not exist", add a note naming the path and the reason.
 * Instances are immutable and thread-safe if their file access and runner are.
 *
 * <pre>{@code
 * HostAccess env = HostAccess.ofRoot(Path.of("captures/orin-nano"));
 * DeviceInfo info = new DeviceDetector(env).detect();
 * }</pre>
 */
public final class HostAccess {
    /** Directory, relative to a captured root, holding captured command outputs. */
    public static final String CAPTURED_COMMANDS_DIR = "jedge-commands";

    private final Path root;
    private final FileAccess files;
    private final CommandRunner commands;

    private HostAccess(Builder b) {
        this.root = b.root;
        this.files = b.files;
        this.commands = b.commands;
    }

    /** The live system: root {@code /}, real files, real processes. */
    public static HostAccess system() {
        return builder().build();
    }

    /**
     * A captured tree: files under {@code root}, commands replayed from
     * {@code root/jedge-commands/} (see {@link CommandRunner#captured(Path)}).
     */
    public static HostAccess ofRoot(Path root) {
        return builder().root(root).commandRunner(CommandRunner.captured(root.resolve(CAPTURED_COMMANDS_DIR))).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this environment's settings. */
    public Builder toBuilder() {
        return new Builder().root(root).fileAccess(files).commandRunner(commands);
    }

    public Path root() {
        return root;
    }

    public FileAccess files() {
        return files;
    }

    public CommandRunner commands() {
        return commands;
    }

    /** Maps an absolute device path such as {@code /proc/meminfo} into the root. */
    public Path resolve(String absolutePath) {
        String rel = absolutePath.startsWith("/") ? absolutePath.substring(1) : absolutePath;
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    public boolean exists(String absolutePath) {
        return files.exists(resolve(absolutePath));
    }

    /**
     * Reads a file as UTF-8 text; empty when it does not exist, and also when it cannot be read,
     * in which case a note is added to {@code notes}.
     */
    public Optional<String> readText(String absolutePath, List<String> notes) {
        return readBytes(absolutePath, notes).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Like {@link #readText} but trimmed, and empty when the trimmed text is empty. */
    public Optional<String> readValue(String absolutePath, List<String> notes) {
        return readText(absolutePath, notes).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** Reads a file's bytes; see {@link #readText}. */
    public Optional<byte[]> readBytes(String absolutePath, List<String> notes) {
        try {
            return Optional.of(files.readAllBytes(resolve(absolutePath)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (AccessDeniedException e) {
            notes.add(absolutePath + ": permission denied");
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            notes.add(absolutePath + ": unreadable (" + describe(e) + ")");
            return Optional.empty();
        }
    }

    /**
     * The names of a directory's entries, sorted naturally ({@code cpu2} before {@code cpu10});
     * empty when the directory is missing, with a note when it cannot be listed.
     */
    public List<String> list(String absoluteDir, List<String> notes) {
        List<Path> entries;
        try {
            entries = files.list(resolve(absoluteDir));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (AccessDeniedException e) {
            notes.add(absoluteDir + ": permission denied");
            return List.of();
        } catch (IOException | RuntimeException e) {
            notes.add(absoluteDir + ": cannot list (" + describe(e) + ")");
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (Path p : entries) {
            names.add(p.getFileName().toString());
        }
        names.sort(NATURAL);
        return names;
    }

    /**
     * Runs a command; empty when it cannot be started (a note says why). A non-zero exit is
     * returned as is.
     */
    public Optional<CommandResult> run(List<String> command, List<String> notes) {
        try {
            return Optional.of(commands.run(command));
        } catch (IOException | RuntimeException e) {
            notes.add("'" + String.join(" ", command) + "' not run: " + describe(e));
            return Optional.empty();
        }
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** Orders names so that embedded numbers compare numerically. */
    static final Comparator<String> NATURAL = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    /** Builds a {@link HostAccess}; defaults are root {@code /}, real files, real processes. */
    public static final class Builder {
        private Path root = Path.of("/");
        private FileAccess files = FileAccess.DEFAULT;
        private CommandRunner commands;

        private Builder() {
        }

        public Builder root(Path root) {
            this.root = Objects.requireNonNull(root, "root");
            return this;
        }

        public Builder fileAccess(FileAccess files) {
            this.files = Objects.requireNonNull(files, "fileAccess");
            return this;
        }

        public Builder commandRunner(CommandRunner commands) {
            this.commands = Objects.requireNonNull(commands, "commandRunner");
            return this;
        }

        public HostAccess build() {
            if (commands == null) {
                commands = CommandRunner.system();
            }
            return new HostAccess(this);
        }
    }
}
