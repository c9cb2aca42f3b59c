/**
 * The runtime behind the app API: detects the device, selects a variant, opens it on a backend,
 * batches requests, and re-selects when the power mode changes.
 */
package io.jedge.runtime.model;
