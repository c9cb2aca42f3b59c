package io.jedge.runtime.backend.trt;

import org.bytedeco.javacpp.Pointer;

/** JavaCPP pointers for raw addresses (pooled memory plus an offset), which JavaCPP has no public constructor for. */
final class Addresses {
    private Addresses() {
    }

    static Pointer at(long address) {
        return new Raw(address);
    }

    private static final class Raw extends Pointer {
        Raw(long address) {
            this.address = address;
        }
    }
}
