package io.jedge.runtime.backend.trt;

import io.jedge.sdk.DataType;
import io.jedge.sdk.JedgeException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvinfer.LayerInformationFormat;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.TensorIOMode;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IEngineInspector;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

/**
 * A deserialized engine and what its IO looks like.
 *
 * <p>Why engines are cached and never deleted: in the 10.6-1.5.11 presets, objects that TensorRT
 * creates ({@code IRuntime}, {@code ICudaEngine}, {@code IExecutionContext}...) carry no JavaCPP
 * deallocator, so {@code deallocate()} is a no-op and there is no way to delete them from Java
 * (bytedeco/javacpp-presets#1699). Reopening the same plan therefore reuses its engine instead of
 * leaking a second copy of its weights. Everything jedge allocates itself (device and host
 * buffers, context activation memory, streams, events) is freed when a session closes.
 */
final class NativeEngine {
    private static RuntimeLogger logger;
    private static IRuntime runtime;
    private static final Map<String, NativeEngine> CACHE = new HashMap<>();

    final String name;
    final int device;
    final ICudaEngine engine;
    final List<IoTensor> inputs;
    final List<IoTensor> outputs; // declared shapes; sizes come from each context
    final long contextMemoryBytes;
    private String layerInformation; // made once: an inspector cannot be deleted from Java (see above)

    private NativeEngine(String name, int device, ICudaEngine engine, List<IoTensor> inputs, List<IoTensor> outputs,
            long contextMemoryBytes) {
        this.name = name;
        this.device = device;
        this.engine = engine;
        this.inputs = inputs;
        this.outputs = outputs;
        this.contextMemoryBytes = contextMemoryBytes;
    }

    static synchronized RuntimeLogger logger() {
        if (logger == null) {
            logger = new RuntimeLogger();
        }
        return logger;
    }

    /** The engine of {@code plan} on {@code device}, deserialized once per process. */
    static synchronized NativeEngine load(String name, byte[] plan, int device) {
        String key = device + ":" + sha256(plan);
        NativeEngine cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        RuntimeLogger log = logger();
        Cuda.check(org.bytedeco.cuda.global.cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        if (runtime == null) {
            runtime = nvinfer.createInferRuntime(log);
            if (runtime == null || runtime.isNull()) {
                throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "createInferRuntime returned null");
            }
        }
        ICudaEngine engine;
        log.begin();
        try (BytePointer blob = new BytePointer(plan)) { // TensorRT copies what it keeps
            engine = runtime.deserializeCudaEngine(blob, plan.length);
        }
        if (engine == null || engine.isNull()) {
            String errors = log.errors();
            boolean mismatch = errors.matches("(?is).*(version|compatib|compute capability|platform|sm_?[0-9]).*");
            throw new JedgeException(mismatch ? JedgeException.Code.ENGINE_MISMATCH : JedgeException.Code.MODEL_LOAD_FAILED,
                    "TensorRT cannot deserialize engine '" + name + "'" + (errors.isEmpty() ? "" : ": " + errors)
                            + (mismatch ? "; " + EngineCompatibility.REBUILD_HINT : "; is it a TensorRT plan file?"));
        }
        NativeEngine e = describe(name, device, engine);
        CACHE.put(key, e);
        return e;
    }

    private static NativeEngine describe(String name, int device, ICudaEngine engine) {
        List<IoTensor> inputs = new ArrayList<>();
        List<IoTensor> outputs = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < engine.getNbIOTensors(); i++) {
                String t = engine.getIOTensorName(i);
                boolean input = engine.getTensorIOMode(t).intern() == TensorIOMode.kINPUT;
                String dt = engine.getTensorDataType(t).intern().name();
                DataType type = fromTensorRt(dt);
                if (type == null) {
                    throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED, "engine '" + name + "': IO tensor '" + t
                            + "' has TensorRT type " + dt + "; jedge exchanges kFLOAT, kHALF, kINT32 and kINT64");
                }
                if (engine.isShapeInferenceIO(t)) {
                    throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED, "engine '" + name + "': IO tensor '" + t
                            + "' is a shape tensor, which jedge does not support");
                }
                long[] shape = dims(engine.getTensorShape(t));
                long[] min = shape;
                long[] max = shape;
                if (input && isDynamic(shape)) {
                    min = dims(engine.getProfileShape(t, 0, OptProfileSelector.kMIN));
                    max = dims(engine.getProfileShape(t, 0, OptProfileSelector.kMAX));
                }
                (input ? inputs : outputs).add(new IoTensor(t, input, type, shape, min, max));
            }
            return new NativeEngine(name, device, engine, List.copyOf(inputs), List.copyOf(outputs),
                    engine.getDeviceMemorySizeV2());
        }
    }

    /**
     * TensorRT's description of the engine's layers as JSON ({@code IEngineInspector}, engine-wide,
     * shapes as built). Kernel names and fused ops are there only when the plan was built with
     * detailed profiling ({@code TrtBuildOptions.detailedLayers}); otherwise layer names only.
     */
    synchronized String layerInformation() {
        if (layerInformation == null) {
            Cuda.check(org.bytedeco.cuda.global.cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
            IEngineInspector inspector = engine.createEngineInspector();
            if (inspector == null || inspector.isNull()) {
                throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "engine '" + name
                        + "': TensorRT made no engine inspector");
            }
            String json = inspector.getEngineInformation(LayerInformationFormat.kJSON);
            if (json == null || json.isBlank()) {
                throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "engine '" + name
                        + "': TensorRT's engine inspector returned nothing");
            }
            layerInformation = json;
        }
        return layerInformation;
    }

    static boolean isDynamic(long[] shape) {
        for (long d : shape) {
            if (d < 0) {
                return true;
            }
        }
        return false;
    }

    static long[] dims(Dims64 d) {
        long[] out = new long[d.nbDims()];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.d(i);
        }
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The SDK element type of TensorRT's {@code DataType} constant name ({@code kFLOAT}, ...); null when unsupported. */
    static DataType fromTensorRt(String constantName) {
        return switch (constantName) {
            case "kFLOAT" -> DataType.FLOAT32;
            case "kHALF" -> DataType.FLOAT16;
            case "kINT32" -> DataType.INT32;
            case "kINT64" -> DataType.INT64;
            case "kUINT8" -> DataType.UINT8;
            default -> null;
        };
    }
}
