package io.jedge.sdk.bundle;

/** What a bundle's model does. */
public enum Task {
    IMAGE_CLASSIFICATION, LATENT_DIFFUSION, GENERIC;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public static Task parse(String s) {
        return Enums.parse(Task.class, s, "task");
    }
}
