package io.jedge.runtime.backend;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks caller-owned output tensors for {@link InferenceSession#runInto}, before anything native runs; every backend
 * applies these, so runInto takes and refuses the same tensors everywhere. Outputs are written in the model's own
 * element type (a float16 output into a float16 tensor, as binary16 bits): unlike inputs, nothing is converted, as
 * runInto exists to skip copies; {@code run} is the path that returns float16 outputs as float32.
 */
public final class OutputChecks {
    private OutputChecks() {
    }

    /** Each output is known, direct, writable and of the output's element type, with its fixed dims. */
    public static void check(List<TensorSpec> specs, Map<String, Tensor> outputs, String backend) {
        if (outputs == null || outputs.isEmpty()) {
            throw new IllegalArgumentException("runInto needs at least one output tensor");
        }
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            TensorSpec spec = specs.stream().filter(s -> s.name().equals(e.getKey())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("output '" + e.getKey() + "' is not an output of this "
                            + backend + " session; its outputs are " + specs.stream().map(TensorSpec::name).toList()));
            Tensor t = e.getValue();
            if (!t.isDirect()) {
                throw new IllegalArgumentException("output '" + e.getKey() + "': " + t
                        + " is on the heap; runInto writes into direct tensors (Tensor.allocateDirect or a backend pool)");
            }
            if (t.region().base().isReadOnly()) {
                throw new IllegalArgumentException("output '" + e.getKey() + "': its buffer is read-only");
            }
            if (!t.type().specName().equals(spec.dataType())) {
                throw new IllegalArgumentException("output '" + e.getKey() + "': " + Staging.describe(t) + ", expected "
                        + spec.dataType() + dims(spec.shapeArray()) + " (runInto writes each output in the model's own element type"
                        + (spec.dataType().equals("float16") ? "; run() returns float16 outputs as float32)" : ")"));
            }
            long[] want = spec.shapeArray();
            long[] have = t.shape();
            boolean ok = want.length == have.length;
            for (int i = 0; ok && i < want.length; i++) {
                ok = want[i] < 0 || want[i] == have[i];
            }
            if (!ok) {
                throw new IllegalArgumentException("output '" + e.getKey() + "': " + Staging.describe(t) + ", expected "
                        + spec.dataType() + dims(spec.shapeArray()));
            }
        }
    }

    /** A model's dims for messages: {@code [N,3,8,8]}, the dynamic batch as N and other dynamic dims as ?. */
    public static String dims(long[] shape) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? "," : "").append(shape[i] < 0 ? (i == 0 ? "N" : "?") : String.valueOf(shape[i]));
        }
        return b.append(']').toString();
    }

    /** The shape the model produced equals the caller's tensor. */
    public static void checkShape(String name, Tensor into, long[] produced) {
        if (!Arrays.equals(into.shape(), produced)) {
            throw new IllegalArgumentException("output '" + name + "': the model produced shape " + Arrays.toString(produced)
                    + ", but the tensor given is " + into);
        }
    }
}
