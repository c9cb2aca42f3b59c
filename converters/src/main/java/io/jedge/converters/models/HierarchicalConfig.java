package io.jedge.converters.models;

import java.util.List;
import java.util.Locale;

/**
 * A four-stage hierarchical vision transformer (Swin-like): a {@code patch×patch} stride-patch
 * conv stem, stages of pre-norm blocks at grid sides S/patch, S/2patch, S/4patch, S/8patch with
 * 2×2 patch merging (channels ×2) between them, final LayerNorm, global average pooling, linear
 * head.
 *
 * @param depths blocks per stage (4 entries)
 * @param heads  attention heads per stage (4 entries); stage s has {@code embedDim·2^s} channels
 */
public record HierarchicalConfig(int imageSize, int patch, int embedDim, List<Integer> depths, List<Integer> heads, int mlpRatio,
        int classes) {
    public static final int STAGES = 4;

    public HierarchicalConfig {
        depths = List.copyOf(depths);
        heads = List.copyOf(heads);
        check(depths.size() == STAGES && heads.size() == STAGES, "depths " + depths + " and heads " + heads + " must have 4 entries each");
        check(patch > 0 && imageSize > 0 && imageSize % (patch * 8) == 0,
                "image size " + imageSize + " must be a positive multiple of 8·patch = " + (8 * patch) + " (three 2×2 merges)");
        check(embedDim > 0 && mlpRatio > 0 && classes > 0, "embed dim " + embedDim + ", mlp ratio " + mlpRatio + ", classes " + classes
                + " must all be at least 1");
        for (int s = 0; s < STAGES; s++) {
            check(depths.get(s) > 0, "stage " + (s + 1) + " depth " + depths.get(s) + " must be at least 1");
            int dim = embedDim << s;
            check(heads.get(s) > 0 && dim % heads.get(s) == 0, "stage " + (s + 1) + " dim " + dim + " is not divisible by heads " + heads.get(s));
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public int dim(int stage) {
        return embedDim << stage;
    }

    public int grid(int stage) {
        return imageSize / patch >> stage;
    }

    /**
     * {@code swin-t} (embed 96, depths 2-2-6-2, heads 3-6-12-24), {@code cswin-t} (CSWin-T-like
     * sizes: embed 64, depths 2-4-18-1, heads 2-4-8-16), both 224 px patch 4, 1000 classes;
     * {@code tiny} (64 px, embed 32, depths 1-1-2-1, heads 2-2-4-8, 10 classes) for tests.
     */
    public static HierarchicalConfig preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "swin-t" -> new HierarchicalConfig(224, 4, 96, List.of(2, 2, 6, 2), List.of(3, 6, 12, 24), 4, 1000);
            case "cswin-t" -> new HierarchicalConfig(224, 4, 64, List.of(2, 4, 18, 1), List.of(2, 4, 8, 16), 4, 1000);
            case "tiny" -> new HierarchicalConfig(64, 4, 32, List.of(1, 1, 2, 1), List.of(2, 2, 4, 8), 2, 10);
            default -> throw new IllegalArgumentException("unknown hierarchical preset '" + name + "', expected swin-t, cswin-t or tiny");
        };
    }

    public HierarchicalConfig withImageSize(int s) {
        return new HierarchicalConfig(s, patch, embedDim, depths, heads, mlpRatio, classes);
    }

    public HierarchicalConfig withClasses(int c) {
        return new HierarchicalConfig(imageSize, patch, embedDim, depths, heads, mlpRatio, c);
    }
}
