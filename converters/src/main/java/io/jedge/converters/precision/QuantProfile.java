package io.jedge.converters.precision;

import java.util.Locale;

/** Which runtime an INT8 model's Q/DQ placement and number formats are laid out for (quantization.md §6.4). */
public enum QuantProfile {
    /**
     * TensorRT explicit quantization: int8 symmetric everywhere (zero point 0), per-tensor
     * activations, per-channel weights, Q/DQ on the inputs of weighted ops only, float bias.
     */
    TENSORRT("tensorrt"),
    /**
     * ONNX Runtime CPU: the QDQ groups its CPU transformer fuses — DQ(A), DQ(W) → MatMul
     * (MatMulIntegerToFloat), DQ(X), DQ(W), DQ(int32 bias) → Conv → Q (QLinearConv); uint8
     * asymmetric activations by default, int8 symmetric per-channel weights.
     */
    ORT_CPU("ort-cpu");

    private final String cliName;

    QuantProfile(String cliName) {
        this.cliName = cliName;
    }

    /** The name on the command line and in bundle attributes. */
    public String cliName() {
        return cliName;
    }

    /** Parses a {@link #cliName()} (case-insensitive). */
    public static QuantProfile fromCliName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (QuantProfile p : values()) {
            if (p.cliName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("profile '" + name + "': expected tensorrt or ort-cpu");
    }
}
