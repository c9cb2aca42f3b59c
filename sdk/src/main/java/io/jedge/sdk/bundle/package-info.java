/**
 * The bundle format, defined once: a directory with {@code bundle.json} (versioned by
 * {@code schemaVersion}) describing the model and every variant of it — file, format, precision,
 * attention kind, batch range, what it was built for, sha256 and measured figures — plus the
 * fidelity and accuracy reports of conversions. Converters write it; the runtime reads it.
 */
package io.jedge.sdk.bundle;
