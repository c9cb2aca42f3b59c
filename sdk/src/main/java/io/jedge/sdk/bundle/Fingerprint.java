package io.jedge.sdk.bundle;

import java.util.Map;

/**
 * What a variant was built for. ONNX variants run anywhere and carry an empty fingerprint;
 * a TensorRT engine only runs where every non-null field matches.
 */
public record Fingerprint(String tensorrt, String gpu, String computeCapability, String cuda, String l4t,
        String jetpack, Map<String, String> buildOptions) {
    public Fingerprint {
        buildOptions = buildOptions == null ? Map.of() : Map.copyOf(buildOptions);
    }

    public static Fingerprint portable() {
        return new Fingerprint(null, null, null, null, null, null, Map.of());
    }

    public boolean isPortable() {
        return tensorrt == null && gpu == null && computeCapability == null && cuda == null;
    }
}
