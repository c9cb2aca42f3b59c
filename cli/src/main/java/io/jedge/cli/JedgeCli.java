package io.jedge.cli;

import io.jedge.cli.convert.ConverterCommands;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.JedgeVersion;
import io.jedge.sdk.bundle.BundleException;
import java.io.PrintWriter;
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
        System.exit(commandLine().execute(args));
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
        return cl;
    }

    /** A mistyped or missing option: one line and a hint, like every other user error, not the whole usage text. */
    private static int handleParameter(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("jedge " + cl.getCommandName() + ": error: " + printable(String.valueOf(e.getMessage())));
        err.println("  hint: see 'jedge help " + cl.getCommandName() + "'");
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Control characters (escape sequences from a hostile file or name) shown as \\uXXXX, never sent to the terminal. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /** One line and a hint for errors the user can fix; a stack trace only with --verbose. */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = false;
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption(DeviceFlags.Verbose.NAME);
        }
        Throwable t = e;
        String hint = null;
        int code = 1;
        // Exit status from the error family: caller mistakes (bad arguments, bundles, input files) 2, other failures 1.
        if (t instanceof IllegalArgumentException || t instanceof BundleException) {
            hint = "see 'jedge help " + cl.getCommandName() + "'";
            code = 2;
        } else if (t instanceof JedgeException je) {
            code = je.code().exitCode();
            hint = switch (je.code()) {
                case INVALID_INPUT, ACCURACY_TARGET_MISSED -> "see 'jedge help " + cl.getCommandName() + "'";
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
        err.println("jedge " + cl.getCommandName() + ": error: " + printable(t.getMessage() == null ? t.toString() : t.getMessage()));
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
