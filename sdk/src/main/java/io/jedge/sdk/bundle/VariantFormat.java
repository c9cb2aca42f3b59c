package io.jedge.sdk.bundle;

/** File format of a variant. */
public enum VariantFormat {
    ONNX, TENSORRT_ENGINE;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public static VariantFormat parse(String s) {
        return Enums.parse(VariantFormat.class, s, "format");
    }
}
