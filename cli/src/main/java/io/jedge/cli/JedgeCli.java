package io.jedge.cli;

import io.jedge.cli.convert.ConverterCommands;
import io.jedge.cli.options.DeviceFlags;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.JedgeVersion;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.Printable;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The {@code jedge} command line: convert models into bundles, inspect, run and benchmark them.
 * The device commands need only sdk and jetson-runtime; the converter commands (convert, inspect,
 * build-model, compare, quickstart) are registered when the converters are on the class path, and
 * otherwise answer with one line saying what to install.
 */
@Command(name = "jedge", mixinStandardHelpOptions = true, versionProvider = JedgeCli.VersionProvider.class,
        description = "Vision transformers and compact latent diffusion models on NVIDIA Jetson, from Java.")
public final class JedgeCli {
    /** A class of the converters library: present on a host install, absent on a device install. */
    static final String CONVERTERS_PROBE = "io.jedge.converters.convert.Converter";
    @Mixin
    DeviceFlags.Verbose verbose;

    public static void main(String[] args) {
        System.exit(execute(commandLine(), args));
    }

    /**
     * Runs {@code cl}, turning an {@link OutOfMemoryError} or {@link StackOverflowError}, which
     * picocli lets through, into one line and exit 1 instead of the JVM's stack trace.
     */
    static int execute(CommandLine cl, String... args) {
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) { // while parsing, before a command runs (runEscaped has the rest)
            return resourceFailure(cl.getErr(), "jedge", e, false);
        }
    }

    /** Out of memory or stack: one line saying which and what to do (exit 1), not the JVM's trace. */
    private static int resourceFailure(PrintWriter err, String command, Error e, boolean verbose) {
        err.println(command + ": error: " + (e instanceof OutOfMemoryError
                ? "out of memory (" + printable(String.valueOf(e.getMessage())) + "; the Java heap is at most "
                        + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)"
                : "stack overflow (an input nested too deeply?)"));
        err.println("  hint: " + (e instanceof OutOfMemoryError ? "give Java more memory, e.g. JEDGE_JAVA_OPTS=-Xmx8g"
                : "run again with --verbose and report it"));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    /** The configured command line (tests call {@code execute} on it). */
    public static CommandLine commandLine() {
        return commandLine(convertersPresent());
    }

    /** The command line with or without the converter commands (tests use both). */
    static CommandLine commandLine(boolean withConverters) {
        CommandLine cl = new CommandLine(new JedgeCli());
        for (String name : ConverterCommands.NAMES) {
            cl.addSubcommand(name, withConverters ? ConverterCommands.create(name) : new MissingConverters());
            if (name.equals("convert")) {
                cl.addSubcommand(new RunCommand());
                cl.addSubcommand(new EvalCommand());
                cl.addSubcommand(new BenchCommand());
                cl.addSubcommand(new SelectCommand());
                cl.addSubcommand(new BuildEnginesCommand());
            }
        }
        cl.addSubcommand(new GenerateCommand());
        cl.addSubcommand(new DeviceCommand());
        cl.addSubcommand(new CommandLine.HelpCommand());
        cl.setExecutionExceptionHandler(JedgeCli::handle);
        cl.setParameterExceptionHandler(JedgeCli::handleParameter);
        cl.setExecutionStrategy(JedgeCli::runEscaped);
        // after every subcommand is added: registration reaches only the commands present now
        cl.registerConverter(Double.class, JedgeCli::finite);
        cl.registerConverter(Double.TYPE, JedgeCli::finite);
        withHelp(cl, cl.getCommandSpec().versionProvider());
        return cl;
    }

    /**
     * {@code --help} and {@code --version} on every subcommand, nested ones too: help prints the usage instead of a
     * missing-option error, and the version is jedge's, not an empty line.
     */
    private static void withHelp(CommandLine cl, CommandLine.IVersionProvider version) {
        cl.getCommandSpec().mixinStandardHelpOptions(true);
        if (cl.getCommandSpec().versionProvider() == null && cl.getCommandSpec().version().length == 0) {
            cl.getCommandSpec().versionProvider(version);
        }
        cl.getSubcommands().values().forEach(sub -> withHelp(sub, version));
    }

    /** Every number option: NaN or Infinity is never a sensible value, and comparisons let it through silently. */
    private static Double finite(String text) {
        double d;
        try {
            d = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a number");
        }
        if (!Double.isFinite(d)) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a finite number");
        }
        return d;
    }

    /**
     * Runs the command with its standard output passed through {@link EscapingWriter}: labels,
     * names and device strings come from files, and none may send an escape sequence to the terminal.
     */
    private static int runEscaped(CommandLine.ParseResult parsed) {
        List<CommandLine> chain = parsed.asCommandLineList();
        CommandLine leaf = chain.get(chain.size() - 1);
        PrintWriter original = leaf.getOut();
        leaf.setOut(new PrintWriter(new EscapingWriter(original), true));
        try {
            return new CommandLine.RunLast().execute(parsed);
        } catch (OutOfMemoryError | StackOverflowError e) { // picocli lets an Error past the exception handler
            return resourceFailure(leaf.getErr(), leaf.getCommandSpec().qualifiedName(), e, verbose(parsed));
        } finally {
            leaf.getOut().flush();
            leaf.setOut(original);
        }
    }

    /** Passes text through, writing control characters other than newline and tab as \\uXXXX. */
    static final class EscapingWriter extends FilterWriter {
        EscapingWriter(Writer out) {
            super(out);
        }

        @Override
        public void write(int c) throws IOException {
            if (c != '\n' && c != '\t' && Printable.isControl(c)) {
                out.write(String.format(java.util.Locale.ROOT, "\\u%04x", c));
            } else {
                out.write(c);
            }
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                write(buf[i]);
            }
        }

        @Override
        public void write(String str, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                write(str.charAt(i));
            }
        }
    }

    /** A mistyped or missing option: one line and a hint, like every other user error, not the whole usage text. */
    private static int handleParameter(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(cl.getCommandSpec().qualifiedName() + ": error: " + printable(String.valueOf(e.getMessage())));
        err.println("  hint: see '" + cl.getCommandSpec().qualifiedName() + " --help'");
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Control characters (escape sequences from a hostile file or name) shown as \\uXXXX, never sent to the terminal. */
    static String printable(String s) {
        return io.jedge.sdk.Printable.escape(s);
    }

    /** One line and a hint for errors the user can fix; a stack trace only with --verbose. */
    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption(DeviceFlags.Verbose.NAME)) {
                return true;
            }
        }
        return false;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = verbose(parsed);
        Throwable t = e;
        String hint = null;
        int code = 1;
        String help = "see '" + cl.getCommandSpec().qualifiedName() + " --help'";
        // Exit status from the error family: caller mistakes (bad arguments, bundles, input files) 2, other failures 1.
        if (t instanceof IllegalArgumentException || t instanceof BundleException) {
            hint = help;
            code = 2;
        } else if (t instanceof NoSuchFileException || t instanceof AccessDeniedException || t instanceof NotDirectoryException) {
            // a path the user named (or one inside it) is missing or closed to us: the user's to fix, not a bug
            FileSystemException f = (FileSystemException) t;
            String why = t instanceof NoSuchFileException ? "no such file" : t instanceof AccessDeniedException ? "permission denied"
                    : "not a folder";
            err.println(cl.getCommandSpec().qualifiedName() + ": error: " + printable(f.getFile() + ": " + why
                    + (f.getReason() != null ? " (" + f.getReason() + ")" : "")));
            err.println("  hint: check the path and its permissions");
            if (verbose) {
                t.printStackTrace(err);
            }
            err.flush();
            return 2;
        } else if (t instanceof JedgeException je) {
            code = je.code().exitCode();
            hint = switch (je.code()) {
                case INVALID_INPUT, ACCURACY_TARGET_MISSED -> help;
                case BACKEND_UNAVAILABLE -> "run 'jedge device' to see what this machine has";
                case NO_SUITABLE_VARIANT -> "run 'jedge select BUNDLE' to see why each variant was refused";
                case ENGINE_MISMATCH -> "rebuild engines on this device with 'jedge build-engines BUNDLE'";
                default -> "run again with --verbose for details";
            };
        } else if (t instanceof IllegalStateException) {
            hint = "run again with --verbose for details";
        } else {
            hint = "this is a bug in jedge; run again with --verbose and report the stack trace";
        }
        err.println(cl.getCommandSpec().qualifiedName() + ": error: " + printable(t.getMessage() == null ? t.toString() : t.getMessage()));
        if (hint != null) {
            err.println("  hint: " + hint);
        }
        if (verbose) {
            t.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** Whether the converters library can be loaded here. */
    static boolean convertersPresent() {
        try {
            Class.forName(CONVERTERS_PROBE, false, JedgeCli.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jedge " + JedgeVersion.get(),
                    "ONNX Runtime " + Bindings.onnxRuntime(),
                    "TensorRT Java bindings " + Bindings.tensorRt(),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                            + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", " + System.getProperty("java.home") + ")"};
        }
    }
}
