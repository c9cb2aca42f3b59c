package io.jedge.sdk.bundle;

/** The part of a pipeline a variant plays; single-model bundles use {@link #MODEL}. */
public enum Role {
    MODEL, DENOISER, DECODER;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Role parse(String s) {
        return Enums.parse(Role.class, s, "role");
    }
}
