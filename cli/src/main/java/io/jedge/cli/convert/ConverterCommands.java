package io.jedge.cli.convert;

import java.util.List;

/**
 * The commands that need the converters library. {@link #NAMES} is safe to read without it;
 * {@link #create} loads converter classes and is called only when the converters are on the class path.
 */
public final class ConverterCommands {
    /** The converter commands, in the order help lists them. */
    public static final List<String> NAMES = List.of("quickstart", "inspect", "build-model", "convert", "compare");

    private ConverterCommands() {
    }

    /** A new instance of the named converter command. */
    public static Object create(String name) {
        return switch (name) {
            case "quickstart" -> new QuickstartCommand();
            case "inspect" -> new InspectCommand();
            case "build-model" -> new BuildModelCommand();
            case "convert" -> new ConvertCommand();
            case "compare" -> new CompareCommand();
            default -> throw new IllegalArgumentException("converter command '" + name + "': unknown, expected one of " + NAMES);
        };
    }
}
