/**
 * The backend SPI: a {@link io.jedge.runtime.backend.Backend} opens a variant file into an
 * {@link io.jedge.runtime.backend.InferenceSession}. ONNX Runtime (CPU) is the embedded default;
 * TensorRT is loaded lazily where present. {@link io.jedge.runtime.backend.SeededInputs} makes the
 * seeded input tensors every part of jedge uses when it has no real inputs.
 */
package io.jedge.runtime.backend;
