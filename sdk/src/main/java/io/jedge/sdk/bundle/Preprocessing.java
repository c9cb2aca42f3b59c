package io.jedge.sdk.bundle;

import java.util.List;

/**
 * How to turn an image into the model's input tensor: resize to {@code height}×{@code width},
 * scale to [0,1], subtract {@code mean} and divide by {@code std} per channel, lay out as
 * {@code layout} (NCHW or NHWC), RGB channel order.
 */
public record Preprocessing(String layout, int height, int width, List<Double> mean, List<Double> std, String resize) {
    public Preprocessing {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
    }

    /** ImageNet statistics, bilinear resize, NCHW: what timm ViTs expect. */
    public static Preprocessing imagenet(int size) {
        return new Preprocessing("NCHW", size, size, List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225), "bilinear");
    }
}
