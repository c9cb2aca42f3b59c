package io.jedge.converters.precision;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory ONNX Runtime CPU session over a (possibly augmented) model, for calibration,
 * type inference and accuracy checks. Owns its session: close it.
 */
final class OrtRunner implements AutoCloseable {
    /**
     * Element type and static dims (-1 where symbolic) that ONNX Runtime inferred for a tensor;
     * dims null where the shape is unknown.
     */
    record TensorType(int elemType, long[] dims) {
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String what;

    private OrtRunner(byte[] model, boolean optimize, int threads, String what) {
        this.what = what;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            // calibration must see the graph's own tensors: fusions would rename or remove them
            so.setOptimizationLevel(optimize ? OrtSession.SessionOptions.OptLevel.ALL_OPT
                    : OrtSession.SessionOptions.OptLevel.NO_OPT);
            if (threads > 0) {
                so.setIntraOpNumThreads(threads);
            }
            session = env.createSession(model, so);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the " + what + " model: " + e.getMessage(), e);
        }
    }

    /** A session over {@code model} as it is. */
    static OrtRunner open(OnnxModel model, boolean optimize, String what) {
        return new OrtRunner(model.toBytes(), optimize, 0, what);
    }

    /**
     * A session over a copy of {@code model} that also outputs {@code extra} tensors (names that are
     * not produced by any node or are already outputs are skipped).
     */
    static OrtRunner withOutputs(OnnxModel model, Collection<String> extra, boolean optimize, String what) {
        return new OrtRunner(exposed(model, extra).toBytes(), optimize, 0, what);
    }

    static OnnxModel exposed(OnnxModel model, Collection<String> extra) {
        OnnxModel copy = model.copy();
        Graph g = copy.graph();
        Set<String> present = new HashSet<>();
        g.outputs().forEach(v -> present.add(v.getName()));
        Set<String> produced = new HashSet<>();
        for (Node n : g.nodes()) {
            produced.addAll(n.outputs());
        }
        for (String t : extra) {
            if (produced.contains(t) && present.add(t)) {
                ValueInfoProto known = g.valueInfo().get(t);
                // a name-only output lets ONNX Runtime infer type and shape itself
                g.outputs().add(known != null ? known : ValueInfoProto.newBuilder().setName(t).build());
            }
        }
        return copy;
    }

    /**
     * Element types and shapes of every node output, as ONNX Runtime infers them when loading
     * (nothing is run). Graph inputs and initializers are included.
     */
    static Map<String, TensorType> inferTypes(OnnxModel model) {
        Graph g = model.graph();
        List<String> all = new ArrayList<>();
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                if (!o.isEmpty()) {
                    all.add(o);
                }
            }
        }
        Map<String, TensorType> out = new HashMap<>();
        for (ValueInfoProto v : g.inputs()) {
            out.put(v.getName(), new TensorType(Graph.elemType(v), Graph.dims(v)));
        }
        g.initializers().forEach((k, t) -> out.put(k, new TensorType(t.getDataType(), TensorData.dims(t))));
        OnnxModel copy = model.copy();
        // drop declared value infos so ONNX Runtime reports what it inferred, not what was declared
        copy.graph().outputs().clear();
        copy.graph().outputs().addAll(exposed(model, all).graph().outputs());
        try (OrtRunner r = new OrtRunner(copy.toBytes(), false, 1, "type-inference")) {
            for (Map.Entry<String, NodeInfo> e : r.session.getOutputInfo().entrySet()) {
                if (e.getValue().getInfo() instanceof TensorInfo ti) {
                    // ONNX Runtime answers [] both for a scalar and for a shape it could not infer:
                    // record it as unknown, never as a rank-0 declaration (ORT then rejects the model)
                    long[] dims = ti.getShape().length == 0 ? null : ti.getShape();
                    out.put(e.getKey(), new TensorType(onnxType(ti.onnxType), dims));
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not infer tensor types: " + e.getMessage(), e);
        }
        return out;
    }

    /** The ONNX data type number (the Java enum's own {@code value} numbers differ). */
    private static int onnxType(TensorInfo.OnnxTensorType t) {
        String n = t.name().substring("ONNX_TENSOR_ELEMENT_DATA_TYPE_".length());
        try {
            return ai.onnx.proto.OnnxMl.TensorProto.DataType.valueOf(n).getNumber();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /** Output names in graph order. */
    List<String> outputNames() {
        return new ArrayList<>(session.getOutputNames());
    }

    Set<String> inputNames() {
        return session.getInputNames();
    }

    /** Runs and returns the requested outputs (all when {@code outputs} is empty) as float32/int64 tensors. */
    Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> outputs) {
        Map<String, OnnxTensor> ort = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
                Tensor t = e.getValue();
                ort.put(e.getKey(), t.type() == DataType.FLOAT32
                        ? OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), t.shape())
                        : OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), t.shape()));
            }
            Set<String> wanted = outputs.isEmpty() ? new LinkedHashSet<>(session.getOutputNames()) : new LinkedHashSet<>(outputs);
            List<String> missing = wanted.stream().filter(w -> !session.getOutputNames().contains(w)).toList();
            if (!missing.isEmpty()) { // ONNX Runtime would only say how many outputs it has
                throw new IllegalStateException("the " + what + " model does not output " + missing + " (it outputs "
                        + session.getOutputNames().size() + " tensors); only tensors a node of the model produces can be read");
            }
            try (OrtSession.Result r = session.run(ort, wanted)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : r) {
                    out.put(e.getKey(), toTensor(e.getKey(), e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed running the " + what + " model: " + e.getMessage(), e);
        } finally {
            ort.values().forEach(OnnxTensor::close);
        }
    }

    private static Tensor toTensor(String name, OnnxValue v) throws OrtException {
        if (!(v instanceof OnnxTensor t)) {
            throw new IllegalStateException("output '" + name + "' is not a tensor");
        }
        TensorInfo info = t.getInfo();
        OnnxJavaType type = info.type;
        if (type == OnnxJavaType.FLOAT || type == OnnxJavaType.FLOAT16 || type == OnnxJavaType.BFLOAT16
                || type == OnnxJavaType.DOUBLE) {
            FloatBuffer fb = t.getFloatBuffer();
            float[] a = new float[fb.remaining()];
            fb.get(a);
            return Tensor.ofFloats(info.getShape(), a);
        }
        if (type == OnnxJavaType.INT64) {
            LongBuffer lb = t.getLongBuffer();
            long[] a = new long[lb.remaining()];
            lb.get(a);
            return Tensor.ofLongs(info.getShape(), a);
        }
        throw new IllegalStateException("output '" + name + "' has type " + type + ", expected a float or int64 tensor");
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the " + what + " session: " + e.getMessage(), e);
        }
    }
}
