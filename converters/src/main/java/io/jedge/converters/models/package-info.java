/**
 * Model builders that write ONNX graphs from checkpoint weights (safetensors, with the tensor
 * names of the published PyTorch models) or from a seeded initialiser.
 */
package io.jedge.converters.models;
