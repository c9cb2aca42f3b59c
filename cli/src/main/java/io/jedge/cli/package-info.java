/**
 * The {@code jedge} command line (picocli): the only module with a {@code main} and a logging
 * binding. One class per device subcommand (run, eval, bench, select, generate, device), each a
 * thin layer over sdk and jetson-runtime that prints one line and a hint for user errors; the
 * converter commands live in {@code io.jedge.cli.convert}.
 */
package io.jedge.cli;
