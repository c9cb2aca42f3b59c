package io.jedge.runtime.backend.trt;

import io.jedge.sdk.DataType;
import io.jedge.runtime.backend.Staging;
import io.jedge.sdk.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Checks a call's inputs and requested outputs against the engine, before anything native runs. */
final class IoValidation {
    private IoValidation() {
    }

    static void validateInputs(String engine, List<IoTensor> inputs, Map<String, Tensor> feeds) {
        if (feeds == null) {
            throw new IllegalArgumentException("inputs for " + engine + " must not be null");
        }
        Map<String, IoTensor> byName = new LinkedHashMap<>();
        for (IoTensor t : inputs) {
            byName.put(t.name(), t);
        }
        for (String name : feeds.keySet()) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("input '" + name + "' is not an input of " + engine
                        + "; its inputs are " + byName.keySet());
            }
        }
        for (IoTensor spec : inputs) {
            Tensor t = feeds.get(spec.name());
            if (t == null) {
                throw new IllegalArgumentException("input '" + spec.name() + "' is missing; expected " + spec.describe());
            }
            String got = Staging.describe(t);
            if (!Staging.accepts(spec.type(), t)) { // the rule every backend shares
                throw new IllegalArgumentException("input '" + spec.name() + "': " + got + ", expected " + spec.describe()
                        + " (" + Staging.acceptedText(spec.type()) + ")");
            }
            long[] have = t.shape();
            boolean ok = have.length == spec.max().length;
            for (int i = 0; ok && i < have.length; i++) {
                ok = have[i] >= spec.min()[i] && have[i] <= spec.max()[i];
            }
            if (!ok) {
                throw new IllegalArgumentException("input '" + spec.name() + "': " + got + ", expected " + spec.describe()
                        + " (the range of the engine's optimization profile)");
            }
        }
    }

    /** The outputs to return: all when {@code wanted} is empty. */
    static List<IoTensor> selectOutputs(String engine, List<IoTensor> outputs, Set<String> wanted) {
        if (wanted == null || wanted.isEmpty()) {
            return outputs;
        }
        Set<String> names = outputs.stream().map(IoTensor::name).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        for (String w : wanted) {
            if (!names.contains(w)) {
                throw new IllegalArgumentException("output '" + w + "' is not an output of " + engine + "; its outputs are " + names);
            }
        }
        return outputs.stream().filter(o -> wanted.contains(o.name())).toList();
    }

    /** Whether {@code given} must be converted into the engine's type (and so staged). */
    static boolean converts(DataType engineType, Tensor given) {
        return given.type() != engineType;
    }
}
