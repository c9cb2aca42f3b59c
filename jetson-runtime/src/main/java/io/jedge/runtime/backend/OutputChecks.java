package io.jedge.runtime.backend;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Checks caller-owned output tensors for {@link InferenceSession#runInto}, before anything native runs. */
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
                throw new IllegalArgumentException("output '" + e.getKey() + "': " + t + ", expected " + spec.dataType()
                        + spec.shape());
            }
            long[] want = spec.shapeArray();
            long[] have = t.shape();
            boolean ok = want.length == have.length;
            for (int i = 0; ok && i < want.length; i++) {
                ok = want[i] < 0 || want[i] == have[i];
            }
            if (!ok) {
                throw new IllegalArgumentException("output '" + e.getKey() + "': " + t + ", expected " + spec.dataType()
                        + spec.shape());
            }
        }
    }

    /** The shape the model produced equals the caller's tensor. */
    public static void checkShape(String name, Tensor into, long[] produced) {
        if (!Arrays.equals(into.shape(), produced)) {
            throw new IllegalArgumentException("output '" + name + "': the model produced shape " + Arrays.toString(produced)
                    + ", but the tensor given is " + into);
        }
    }
}
