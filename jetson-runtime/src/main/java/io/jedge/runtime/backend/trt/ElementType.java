package io.jedge.runtime.backend.trt;

import java.util.Locale;

/** Element types of engine IO tensors that this backend converts to and from SDK tensors. */
enum ElementType {
    FLOAT32(4), FLOAT16(2), UINT8(1), INT32(4), INT64(8);

    final int bytes;

    ElementType(int bytes) {
        this.bytes = bytes;
    }

    /** The name used in {@link io.jedge.sdk.bundle.TensorSpec#dataType()}. */
    String specName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The SDK element type of the same bytes (what a direct tensor bound to this tensor must be). */
    io.jedge.sdk.DataType dataType() {
        return io.jedge.sdk.DataType.valueOf(name());
    }

    /** Maps TensorRT's {@code DataType} constant name ({@code kFLOAT}, ...); null when unsupported. */
    static ElementType fromTensorRt(String constantName) {
        return switch (constantName) {
            case "kFLOAT" -> FLOAT32;
            case "kHALF" -> FLOAT16;
            case "kINT32" -> INT32;
            case "kINT64" -> INT64;
            case "kUINT8" -> UINT8;
            default -> null;
        };
    }
}
