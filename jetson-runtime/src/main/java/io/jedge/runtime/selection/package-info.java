/**
 * Variant selection: which variant of a bundle, at which batch size, is fastest on this device
 * in its current power mode — from figures measured here, an opt-in autotune, or priors. The
 * selection sees the device as a {@link io.jedge.runtime.selection.DeviceContext} snapshot, which
 * {@link io.jedge.runtime.model.Environment#current()} provides.
 */
package io.jedge.runtime.selection;
