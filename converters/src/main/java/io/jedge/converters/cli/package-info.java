/**
 * The {@code jedge} command line (picocli): one class per subcommand, each a thin layer over the
 * library (converters, runtime, sdk) that prints one line and a hint for user errors.
 */
package io.jedge.converters.cli;
