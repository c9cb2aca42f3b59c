package io.jedge.converters.models;

/** Where a model builder takes its weights from: a checkpoint file, or a seeded initialiser. */
public interface WeightSource {
    /**
     * The tensor {@code name} as float32, row-major in PyTorch's layout.
     *
     * @param expectedShape checked when given; a mismatch names the tensor, the shapes and the fix
     * @throws IllegalArgumentException when the tensor is missing or shaped differently
     */
    float[] get(String name, long... expectedShape);

    boolean has(String name);

    /** For logs and manifests: "safetensors /path" or "seeded (seed 7)". */
    String describe();
}
