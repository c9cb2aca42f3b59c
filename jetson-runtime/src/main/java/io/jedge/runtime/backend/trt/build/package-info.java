/**
 * TensorRT engine building, on the device as on a GPU host: {@link io.jedge.runtime.backend.trt.build.TrtEngineBuilder} parses an ONNX
 * variant with TensorRT's ONNX parser into a strongly typed network (precision comes from the
 * ONNX types: an FP16 ONNX gives an FP16 engine, a QDQ ONNX an INT8 one; no weak-typing flags,
 * no calibrators, so the path survives TensorRT 11), adds one optimization profile for the
 * dynamic batch, limits the workspace, reuses a persistent timing cache, and returns the plan
 * with a {@link io.jedge.sdk.bundle.Fingerprint} of the platform it was built on.
 * {@code io.jedge.cli.convert.TrtProof} (in the cli module) runs the whole chain on a GPU machine.
 */
package io.jedge.runtime.backend.trt.build;
