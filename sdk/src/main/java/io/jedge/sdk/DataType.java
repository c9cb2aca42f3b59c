package io.jedge.sdk;

import java.util.Locale;

/**
 * Element types of a {@link Tensor}. Heap tensors (the {@code float[]}/{@code long[]} convenience)
 * are FLOAT32 or INT64; direct-memory tensors take every type here, FLOAT16 as raw IEEE 754 binary16
 * bits.
 */
public enum DataType {
    FLOAT32(4),
    FLOAT16(2),
    UINT8(1),
    INT32(4),
    INT64(8);

    private final int bytes;

    DataType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The name a {@link io.jedge.sdk.bundle.TensorSpec} uses: {@code float32}, {@code float16}, {@code uint8}, ... */
    public String specName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a {@link io.jedge.sdk.bundle.TensorSpec#dataType()} name; empty for other types. */
    public static java.util.Optional<DataType> fromSpecName(String name) {
        for (DataType t : values()) {
            if (t.specName().equals(name)) {
                return java.util.Optional.of(t);
            }
        }
        return java.util.Optional.empty();
    }
}
