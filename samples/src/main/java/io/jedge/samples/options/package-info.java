/** Command-line options the sample apps share, each declared once as a picocli mixin (as the CLI's {@code DeviceFlags}). */
package io.jedge.samples.options;
