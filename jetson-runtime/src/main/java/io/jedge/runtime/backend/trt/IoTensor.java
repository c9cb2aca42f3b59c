package io.jedge.runtime.backend.trt;

import io.jedge.sdk.DataType;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * One engine IO tensor as read from the engine: its declared shape ({@code -1} = dynamic) and,
 * for inputs, the bounds of optimization profile 0. For outputs {@code min}/{@code max} hold the
 * shape the engine reports when every input is at its profile maximum (used to size buffers).
 */
record IoTensor(String name, boolean input, DataType type, long[] shape, long[] min, long[] max) {
    IoTensor {
        shape = shape.clone();
        min = min.clone();
        max = max.clone();
    }

    TensorSpec spec() {
        List<Long> dims = new ArrayList<>();
        for (long d : shape) {
            dims.add(d);
        }
        return new TensorSpec(name, type.specName(), dims);
    }

    /** Bytes for the largest shape this tensor takes within the profile. */
    long maxBytes() {
        long n = 1;
        for (long d : max) {
            n = Math.multiplyExact(n, d);
        }
        return Math.multiplyExact(n, type.bytes());
    }

    /** e.g. {@code float32[1..32,3,224,224]}. */
    String describe() {
        StringBuilder b = new StringBuilder(type.specName()).append('[');
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? "," : "");
            if (min[i] == max[i]) {
                b.append(max[i]);
            } else {
                b.append(min[i]).append("..").append(max[i]);
            }
        }
        return b.append(']').toString();
    }
}
