package io.jedge.converters.cli;

import io.jedge.converters.onnx.OnnxFormatException;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.bundle.BundleException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code jedge} command line: convert models into bundles, inspect, run and benchmark them. */
@Command(name = "jedge", mixinStandardHelpOptions = true, versionProvider = JedgeCli.VersionProvider.class,
        description = "Vision transformers and compact latent diffusion models on NVIDIA Jetson, from Java.",
        subcommands = {QuickstartCommand.class, InspectCommand.class, BuildModelCommand.class, ConvertCommand.class,
                RunCommand.class, EvalCommand.class, BenchCommand.class, SelectCommand.class, CompareCommand.class, GenerateCommand.class, DeviceCommand.class, CommandLine.HelpCommand.class})
public final class JedgeCli {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (tests call {@code execute} on it). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new JedgeCli());
        cl.setExecutionExceptionHandler(JedgeCli::handle);
        cl.setParameterExceptionHandler(JedgeCli::handleParameter);
        return cl;
    }

    /** A mistyped or missing option: one line and a hint, like every other user error, not the whole usage text. */
    private static int handleParameter(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("jedge " + cl.getCommandName() + ": error: " + e.getMessage());
        err.println("  hint: see 'jedge help " + cl.getCommandName() + "'");
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** One line and a hint for errors the user can fix; a stack trace only with --verbose. */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = false;
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption("--verbose");
        }
        Throwable t = e;
        String hint = null;
        int code = 1;
        if (t instanceof IllegalArgumentException || t instanceof OnnxFormatException || t instanceof BundleException
                || t instanceof IllegalStateException) {
            hint = "see 'jedge help " + cl.getCommandName() + "'";
            code = 2;
        } else if (t instanceof JedgeException je) {
            hint = switch (je.code()) {
                case BACKEND_UNAVAILABLE -> "run 'jedge device' to see what this machine has";
                case ENGINE_MISMATCH -> "rebuild engines on this device with 'jedge convert ... --engines tensorrt'";
                default -> "run again with --verbose for details";
            };
        } else {
            hint = "this is a bug in jedge; run again with --verbose and report the stack trace";
        }
        err.println("jedge " + cl.getCommandName() + ": error: " + (t.getMessage() == null ? t.toString() : t.getMessage()));
        if (hint != null) {
            err.println("  hint: " + hint);
        }
        if (verbose) {
            t.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jedge " + io.jedge.converters.bundle.Version.get(),
                    "ONNX Runtime " + ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion(),
                    "Java " + System.getProperty("java.version")};
        }
    }
}
