/**
 * Variant selection: which variant of a bundle, at which batch size, is fastest on this device
 * in its current power mode — from figures measured here, an opt-in autotune, or priors.
 */
package io.jedge.runtime.selection;
