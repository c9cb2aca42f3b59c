package io.jedge.sdk.bundle;

import java.util.List;

/**
 * Name, element type and shape of a model input or output. A dimension of -1 is dynamic
 * (usually the batch); {@code dimNames} carries symbolic names where the model gives them.
 */
public record TensorSpec(String name, String dataType, List<Long> shape) {
    public TensorSpec {
        shape = List.copyOf(shape);
    }

    public long[] shapeArray() {
        return shape.stream().mapToLong(Long::longValue).toArray();
    }
}
