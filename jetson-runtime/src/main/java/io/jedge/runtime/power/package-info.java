/**
 * Power modes and telemetry on Jetson: the active nvpmodel mode (looked up by name in the
 * module's own {@code nvpmodel.conf}, since IDs differ between modules and between super and
 * non-super confs), the per-module power profiles shipped as JSON, sysfs telemetry (clocks, loads,
 * temperatures, INA3221 rails) with tegrastats parsing as a fallback, a watcher that reports mode
 * changes and thermal throttling, and {@link io.jedge.runtime.power.PowerState}, the small value
 * variant selection consumes. Reads go through {@link io.jedge.runtime.device.HostAccess};
 * missing data is reported as absent with a note, never as an exception.
 */
package io.jedge.runtime.power;
