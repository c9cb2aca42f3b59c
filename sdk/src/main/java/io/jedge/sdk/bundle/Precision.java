package io.jedge.sdk.bundle;

/** Numeric precision of a variant's weights and arithmetic. */
public enum Precision {
    FP32, FP16, INT8;

    /** Lower-case name as written in bundle.json and on the command line. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Precision parse(String s) {
        return Enums.parse(Precision.class, s, "precision");
    }
}
