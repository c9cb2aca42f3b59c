package io.jedge.converters.models;

import java.util.Locale;

/**
 * A plain ViT (timm {@code VisionTransformer}: patch conv, class token, learned position
 * embedding, pre-norm blocks, GELU MLP, head on the class token).
 */
public record VitConfig(int imageSize, int patch, int dim, int depth, int heads, int mlpRatio, int classes) {
    public VitConfig {
        check(imageSize > 0 && patch > 0 && imageSize % patch == 0, "image size " + imageSize + " must be a positive multiple of patch " + patch);
        check(dim > 0 && heads > 0 && dim % heads == 0, "dim " + dim + " must be a positive multiple of heads " + heads);
        check(depth > 0, "depth " + depth + " must be at least 1");
        check(classes > 0, "classes " + classes + " must be at least 1");
        check(mlpRatio > 0, "mlp ratio " + mlpRatio + " must be at least 1");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public int grid() {
        return imageSize / patch;
    }

    public int tokens() {
        return grid() * grid() + 1;
    }

    /** timm's presets at 224 px, patch 16, 1000 classes: tiny, small, base; plus micro for demos. */
    public static VitConfig preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "micro" -> new VitConfig(224, 16, 192, 2, 3, 4, 1000);
            case "tiny" -> new VitConfig(224, 16, 192, 12, 3, 4, 1000);
            case "small" -> new VitConfig(224, 16, 384, 12, 6, 4, 1000);
            case "base" -> new VitConfig(224, 16, 768, 12, 12, 4, 1000);
            default -> throw new IllegalArgumentException("unknown ViT preset '" + name + "', expected micro, tiny, small or base");
        };
    }

    public VitConfig withImageSize(int s) {
        return new VitConfig(s, patch, dim, depth, heads, mlpRatio, classes);
    }

    public VitConfig withPatch(int p) {
        return new VitConfig(imageSize, p, dim, depth, heads, mlpRatio, classes);
    }

    public VitConfig withDim(int d) {
        return new VitConfig(imageSize, patch, d, depth, heads, mlpRatio, classes);
    }

    public VitConfig withDepth(int d) {
        return new VitConfig(imageSize, patch, dim, d, heads, mlpRatio, classes);
    }

    public VitConfig withHeads(int h) {
        return new VitConfig(imageSize, patch, dim, depth, h, mlpRatio, classes);
    }

    public VitConfig withClasses(int c) {
        return new VitConfig(imageSize, patch, dim, depth, heads, mlpRatio, c);
    }
}
