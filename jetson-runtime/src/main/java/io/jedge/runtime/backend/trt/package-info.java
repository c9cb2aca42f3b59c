/**
 * TensorRT backend: runs serialized TensorRT engines through the JavaCPP presets
 * ({@code org.bytedeco:tensorrt} 10.x, restricted to the API of TensorRT 10.3 that JetPack 6
 * ships). Natives are loaded lazily: {@link io.jedge.runtime.backend.trt.TrtBackend} loads and
 * reports, in one line, what is missing where TensorRT, CUDA or a GPU is absent. An engine is
 * checked against the platform it was built for ({@link io.jedge.runtime.backend.trt.EngineCompatibility})
 * before it is deserialized; a {@link io.jedge.runtime.backend.trt.TrtInferenceSession} keeps a
 * bounded pool of execution contexts, each with its own CUDA stream, device buffers sized for
 * the optimization profile's largest shapes, and pinned (discrete GPU) or mapped (Jetson) host
 * buffers. Direct tensors from the session's {@code HostMemoryPool} are bound without a staging copy
 * ({@code IoPath} decides how each tensor reaches the engine), and fixed-shape engines can replay
 * their work as CUDA graphs.
 */
package io.jedge.runtime.backend.trt;
