package io.jedge.converters.convert;

import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.Preprocessing.Interpolation;
import io.jedge.sdk.bundle.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the user said about image preprocessing ({@code --mean --std --resize --crop --interpolation},
 * {@code --preprocess timm-config FILE}); every null field keeps what the model implies. Immutable;
 * {@link #resolve} turns it into the bundle's {@link Preprocessing} for one model.
 *
 * @param channels   channel count the settings were made for (a timm config's input_size[0]); checked, never applied
 * @param height     input height after the crop, or null for the model's fixed input height (likewise width)
 * @param sizeSource where the size came from, for messages ("--resize 224")
 * @param crop       timm's crop_pct, or null to resize the whole image
 */
public record PreprocessingOptions(Integer channels, Integer height, Integer width, String sizeSource, List<Double> mean,
        List<Double> std, Interpolation interpolation, Double crop) {

    public PreprocessingOptions {
        String source = sizeSource == null ? "size" : sizeSource;
        if (height != null && height < 1 || width != null && width < 1) {
            throw new IllegalArgumentException(source + ": " + height + "x" + width + ", expected a size of at least 1");
        }
        if (crop != null && !(crop > 0 && crop <= 1)) {
            throw new IllegalArgumentException("crop " + crop + ", expected a fraction in (0, 1] (timm's crop_pct), or no crop");
        }
        mean = mean == null ? null : List.copyOf(mean);
        std = std == null ? null : List.copyOf(std);
    }

    /** Nothing asked: the model's size, bilinear, no crop, ImageNet mean/std (0 and 1 for one channel). */
    public static PreprocessingOptions none() {
        return new PreprocessingOptions(null, null, null, null, null, null, null, null);
    }

    /**
     * Reads a timm {@code pretrained_cfg} JSON (or a hub {@code config.json} holding one): input_size,
     * mean, std, interpolation, crop_pct.
     *
     * @throws IllegalArgumentException naming the file and key when it cannot be used
     */
    public static PreprocessingOptions fromTimmConfig(Path file) {
        return TimmConfig.read(file);
    }

    public boolean isEmpty() {
        return equals(none());
    }

    /** These options with every non-null field of {@code over} taking precedence (explicit flags over a file). */
    public PreprocessingOptions overriddenBy(PreprocessingOptions over) {
        boolean sized = over.height != null;
        return new PreprocessingOptions(over.channels != null ? over.channels : channels, sized ? over.height : height,
                sized ? over.width : width, sized ? over.sizeSource : sizeSource,
                over.mean != null ? over.mean : mean, over.std != null ? over.std : std,
                over.interpolation != null ? over.interpolation : interpolation, over.crop != null ? over.crop : crop);
    }

    /** Options from the command-line flags; each null leaves the field unset. */
    public static PreprocessingOptions of(List<Double> mean, List<Double> std, Integer resize, Double crop, String interpolation) {
        Interpolation f = null;
        if (interpolation != null) {
            try {
                f = Interpolation.parse(interpolation);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--interpolation: " + e.getMessage(), e);
            }
        }
        if (resize != null && resize < 1) {
            throw new IllegalArgumentException("--resize " + resize + ", expected a size of at least 1");
        }
        return new PreprocessingOptions(null, resize, resize, resize == null ? null : "--resize " + resize,
                mean == null ? null : new ArrayList<>(mean), std == null ? null : new ArrayList<>(std), f, crop);
    }

    /**
     * The preprocessing of a model whose inputs are {@code inputs}: its one image input [N,C,H,W]
     * or [N,H,W,C] (C = 1 or 3) with these options applied; null for a model without such an input when nothing
     * was asked.
     *
     * @throws IllegalArgumentException when the options do not fit the model, naming both
     */
    public Preprocessing resolve(List<TensorSpec> inputs) {
        TensorSpec in = inputs.size() == 1 ? inputs.get(0) : null;
        List<Long> s = in == null ? List.of() : in.shape();
        // NCHW when dim 1 is a channel count (1 or 3); NHWC (TensorFlow exports) when only the last one is
        boolean nchw = s.size() == 4 && (s.get(1) == 1 || s.get(1) == 3);
        boolean nhwc = !nchw && s.size() == 4 && (s.get(3) == 1 || s.get(3) == 3);
        if (!nchw && !nhwc) {
            if (isEmpty()) {
                return null;
            }
            throw new IllegalArgumentException("image preprocessing options given, but the model's inputs "
                    + inputs.stream().map(t -> "'" + t.name() + "' " + t.shape()).toList()
                    + " are not one image [N,1|3,H,W] or [N,H,W,1|3]; leave out --mean/--std/--resize/--crop/--interpolation/--preprocess");
        }
        int c = s.get(nchw ? 1 : 3).intValue();
        String model = "the model's input '" + in.name() + "' is " + s;
        if (channels != null && channels != c) {
            throw new IllegalArgumentException("the timm config's input_size is for " + channels + " channel(s), but " + model);
        }
        int h = s.get(nchw ? 2 : 1).intValue();
        int w = s.get(nchw ? 3 : 2).intValue();
        if (height != null) {
            if ((h > 0 && h != height) || (w > 0 && w != width)) {
                throw new IllegalArgumentException(sizeSource + " asks for " + height + "x" + width + ", but " + model);
            }
            h = height;
            w = width;
        }
        if (h <= 0 || w <= 0) {
            if (isEmpty()) {
                return null;
            }
            throw new IllegalArgumentException(model + ", without a fixed height and width; give --resize N");
        }
        Preprocessing.Builder b = Preprocessing.defaults(c, h, w).toBuilder().layout(nchw ? Preprocessing.Layout.NCHW : Preprocessing.Layout.NHWC);
        if (mean != null) {
            b.mean(mean);
        }
        if (std != null) {
            b.std(std);
        }
        if (interpolation != null) {
            b.interpolation(interpolation);
        }
        try {
            return b.crop(crop).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + model + ")", e);
        }
    }
}
