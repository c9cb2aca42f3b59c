/** ONNX Runtime CPU backend: the embedded default wherever there is no TensorRT. */
package io.jedge.runtime.backend.ort;
