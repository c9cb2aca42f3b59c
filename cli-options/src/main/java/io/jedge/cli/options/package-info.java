/**
 * The options the jedge command line and the sample apps share, each declared once as a picocli
 * mixin in {@link io.jedge.cli.options.DeviceFlags} (device and run options) or
 * {@link io.jedge.cli.options.GenerationFlags} (generate's sampling options), so a name means one thing with one help text
 * wherever it appears. Its own module because the samples may not depend on the CLI.
 */
package io.jedge.cli.options;
