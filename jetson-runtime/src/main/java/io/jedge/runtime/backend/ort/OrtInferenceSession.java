package io.jedge.runtime.backend.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.NativeResource;
import io.jedge.runtime.backend.OutputChecks;
import io.jedge.runtime.backend.Staging;
import io.jedge.sdk.DataType;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX Runtime session. {@link #run} is safe to call concurrently (ORT sessions are); closing under
 * load lets in-flight runs finish ({@link NativeResource}).
 *
 * <p>Memory: a direct input tensor of the model's type is wrapped in an {@code OnnxTensor} as it is (ONNX
 * Runtime reads the buffer's memory; no copy); a heap one, and one {@link Staging} converts (float32 for a
 * float16 input, int64 for an int32 one, as TensorRT takes them), is written once into direct memory borrowed
 * for the call from the session's {@link StagingPool}, which keeps at most one idle buffer per core and input
 * between calls however many threads call. {@link #runInto} binds the caller's direct output tensors as
 * pinned outputs, so ONNX Runtime writes the results straight into them, in the model's own types.
 * {@link #run} returns heap tensors, copied once out of ONNX Runtime's output memory (ORT Java gives no view
 * of it that outlives the result); float16 outputs come back as float32, as on TensorRT.
 */
final class OrtInferenceSession extends NativeResource implements InferenceSession {
    private final OrtEnvironment env;
    private final OrtSession session;
    /** Short name for messages (the file name) and where the model came from (the path). */
    private final String name;
    private final String source;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final Map<String, TensorSpec> inputByName = new HashMap<>();
    /** Each input's element type; absent for types no tensor holds (validation then refuses every feed). */
    private final Map<String, DataType> inputTypes = new HashMap<>();
    /**
     * Direct memory that heap and converted inputs are written into. ONNX Runtime would otherwise copy each heap array into
     * freshly allocated direct memory on every call, and that allocation (zeroing, and the JDK's
     * direct-memory accounting, which calls System.gc when it runs short) cost more than the copy itself.
     */
    private final StagingPool staging;

    OrtInferenceSession(OrtEnvironment env, OrtSession session, String name, String source) throws OrtException {
        this.env = env;
        this.session = session;
        this.name = name;
        this.source = source;
        this.inputs = specs(session.getInputInfo());
        this.outputs = specs(session.getOutputInfo());
        for (TensorSpec s : inputs) {
            inputByName.put(s.name(), s);
            DataType.fromSpecName(s.dataType()).ifPresent(t -> inputTypes.put(s.name(), t));
        }
        // one call per core runs at a time to good effect; each call borrows one buffer per heap or converted input
        this.staging = new StagingPool("input staging of " + describe(),
                Runtime.getRuntime().availableProcessors() * Math.max(1, inputs.size()));
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> info) {
        List<TensorSpec> out = new ArrayList<>();
        for (NodeInfo n : info.values()) {
            if (n.getInfo() instanceof TensorInfo t) {
                List<Long> shape = new ArrayList<>();
                for (long d : t.getShape()) {
                    shape.add(d);
                }
                out.add(new TensorSpec(n.getName(), typeName(t.type), shape));
            }
        }
        return List.copyOf(out);
    }

    private static String typeName(OnnxJavaType t) {
        return switch (t) {
            case FLOAT -> "float32";
            case FLOAT16 -> "float16";
            case INT64 -> "int64";
            case INT32 -> "int32";
            case UINT8 -> "uint8";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    @Override
    public String backendName() {
        return OrtBackend.NAME;
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputs;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> feeds, Set<String> outputNames) {
        acquire();
        try {
            return runAcquired(feeds, outputNames);
        } finally {
            release();
        }
    }

    @Override
    public void runInto(Map<String, Tensor> feeds, Map<String, Tensor> outputs) {
        OutputChecks.check(this.outputs, outputs, OrtBackend.NAME);
        acquire();
        try {
            validate(feeds);
            Map<String, OnnxTensor> ort = new LinkedHashMap<>();
            Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
            List<ByteBuffer> borrowed = new ArrayList<>(feeds.size());
            try {
                for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
                    ort.put(e.getKey(), toOrt(staged(e.getKey(), e.getValue(), borrowed)));
                }
                for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
                    pinned.put(e.getKey(), toOrt(e.getValue()));
                }
                // Pinned outputs stay owned by us (the result does not close them); ORT writes into their memory.
                session.run(ort, pinned).close();
            } catch (OrtException e) {
                throw new JedgeException(JedgeException.Code.RUN_FAILED, "ONNX Runtime failed running " + source
                        + " into the given outputs (is each shaped as the model produces?): " + e.getMessage(), e);
            } finally {
                ort.values().forEach(OnnxTensor::close);
                pinned.values().forEach(OnnxTensor::close);
                borrowed.forEach(staging::giveBack); // after the close: ONNX Runtime no longer reads them
            }
        } finally {
            release();
        }
    }

    private Map<String, Tensor> runAcquired(Map<String, Tensor> feeds, Set<String> outputNames) {
        validate(feeds);
        Map<String, OnnxTensor> ort = new LinkedHashMap<>();
        List<ByteBuffer> borrowed = new ArrayList<>(feeds.size());
        try {
            for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
                ort.put(e.getKey(), toOrt(staged(e.getKey(), e.getValue(), borrowed)));
            }
            Set<String> wanted = outputNames.isEmpty() ? new LinkedHashSet<>(session.getOutputNames()) : outputNames;
            List<String> missing = wanted.stream().filter(w -> !session.getOutputNames().contains(w)).toList();
            if (!missing.isEmpty()) { // ONNX Runtime would only say how many outputs it has
                throw new IllegalArgumentException(name + " does not output " + missing + " (it outputs "
                        + session.getOutputNames().size() + " tensors); only tensors a node of the model produces can be read");
            }
            try (OrtSession.Result r = session.run(ort, wanted)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : r) {
                    out.put(e.getKey(), fromOrt(e.getKey(), e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new JedgeException(JedgeException.Code.RUN_FAILED, "ONNX Runtime failed running " + name
                    + ": " + e.getMessage(), e);
        } finally {
            ort.values().forEach(OnnxTensor::close);
            borrowed.forEach(staging::giveBack);
        }
    }

    private void validate(Map<String, Tensor> feeds) {
        for (String input : feeds.keySet()) {
            if (!inputByName.containsKey(input)) {
                throw new IllegalArgumentException("input '" + input + "' is not an input of " + name
                        + "; its inputs are " + inputByName.keySet());
            }
        }
        for (TensorSpec spec : inputs) {
            Tensor t = feeds.get(spec.name());
            if (t == null) {
                throw new IllegalArgumentException("input '" + spec.name() + "' is missing; expected "
                        + spec.dataType() + OutputChecks.dims(spec.shapeArray()));
            }
            DataType type = inputTypes.get(spec.name());
            long[] want = spec.shapeArray();
            if (type == null || !Staging.accepts(type, t)) {
                throw new IllegalArgumentException("input '" + spec.name() + "': " + Staging.describe(t) + ", expected "
                        + spec.dataType() + OutputChecks.dims(want) + (type == null ? "" : " (" + Staging.acceptedText(type) + ")"));
            }
            long[] have = t.shape();
            boolean shapeOk = want.length == have.length;
            for (int i = 0; shapeOk && i < want.length; i++) {
                shapeOk = want[i] < 0 || want[i] == have[i];
            }
            if (!shapeOk) {
                throw new IllegalArgumentException("input '" + spec.name() + "': " + Staging.describe(t)
                        + ", expected " + spec.dataType() + OutputChecks.dims(want));
            }
        }
    }

    /**
     * A direct input of the model's type as it is; otherwise (a heap input, or one of the type {@link Staging}
     * converts) written once as the model's type into a buffer borrowed from {@link #staging} (added to
     * {@code borrowed}, for the caller to give back when ONNX Runtime is done).
     */
    private Tensor staged(String input, Tensor t, List<ByteBuffer> borrowed) {
        DataType type = inputTypes.get(input);
        if (t.isDirect() && t.type() == type) {
            return t;
        }
        long bytes = (long) t.elementCount() * type.bytes();
        ByteBuffer b = staging.borrow(bytes);
        borrowed.add(b);
        ByteBuffer region = b.duplicate();
        region.clear().limit((int) bytes);
        ByteBuffer view = region.slice().order(ByteOrder.nativeOrder());
        Staging.write(input, type, t, view);
        return Tensor.wrap(type, t.shape(), view);
    }

    /** The staging pool, for tests. */
    StagingPool staging() {
        return staging;
    }

    /**
     * A direct tensor as an {@code OnnxTensor} over its memory: ORT keeps a reference and reads it, no copy. Heap inputs
     * are staged first ({@link #staged}), and outputs are direct by {@code OutputChecks}. Package-private for the
     * zero-copy test.
     */
    OnnxTensor toOrt(Tensor t) throws OrtException {
        if (!t.isDirect()) {
            throw new IllegalStateException("tensor " + t + " is not direct; stage heap inputs first");
        }
        return OnnxTensor.createTensor(env, t.buffer(), t.shape(), javaType(t.type()));
    }

    private static OnnxJavaType javaType(DataType t) {
        return switch (t) {
            case FLOAT32 -> OnnxJavaType.FLOAT;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case UINT8 -> OnnxJavaType.UINT8;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
        };
    }

    private Tensor fromOrt(String name, OnnxValue v) throws OrtException {
        if (!(v instanceof OnnxTensor t)) {
            throw new JedgeException(JedgeException.Code.RUN_FAILED, "output '" + name + "' is not a tensor");
        }
        TensorInfo info = t.getInfo();
        long[] shape = info.getShape();
        return switch (info.type) {
            // widened by the same conversion as TensorRT's outputs (getByteBuffer copies into a heap buffer first)
            case FLOAT16 -> Staging.read(name, DataType.FLOAT16, shape, t.getByteBuffer().order(ByteOrder.nativeOrder()));
            case FLOAT, BFLOAT16, DOUBLE -> {
                FloatBuffer fb = t.getFloatBuffer();
                float[] a = new float[fb.remaining()];
                fb.get(a);
                yield Tensor.ofFloats(shape, a);
            }
            case INT64 -> {
                LongBuffer lb = t.getLongBuffer();
                long[] a = new long[lb.remaining()];
                lb.get(a);
                yield Tensor.ofLongs(shape, a);
            }
            case INT32 -> Staging.read(name, DataType.INT32, shape, t.getByteBuffer().order(ByteOrder.nativeOrder()));
            default -> throw new JedgeException(JedgeException.Code.RUN_FAILED,
                    "output '" + name + "' has type " + info.type + ", which run() does not return on the heap; use runInto with a direct tensor");
        };
    }

    @Override
    protected String describe() {
        return "ONNX Runtime session for " + source;
    }

    @Override
    protected void freeNative() {
        staging.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new JedgeException(JedgeException.Code.RUN_FAILED, "closing session for " + source + ": " + e.getMessage(), e);
        }
    }
}
