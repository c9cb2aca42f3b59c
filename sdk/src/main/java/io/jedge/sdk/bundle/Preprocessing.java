package io.jedge.sdk.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How an image becomes the model's input tensor. {@code ImagePreprocessor} applies it in this order:
 * <ol>
 *   <li>decode to 8-bit RGB; for {@code channels == 1} convert to luma as PIL's {@code convert("L")} does;</li>
 *   <li>resize with {@code interpolation}: without {@code crop} the whole image to height×width (aspect
 *       not kept); with {@code crop} as timm evaluates: the short side to {@code floor(size / crop)}
 *       keeping the aspect, then a centred height×width crop ({@code crop} 1.0 crops only the long side);</li>
 *   <li>order the channels ({@code channelOrder}) and scale to {@code range} ([0,1] or [0,255]);</li>
 *   <li>{@code (x - mean[c]) / std[c]} per channel;</li>
 *   <li>lay out as {@code layout}.</li>
 * </ol>
 * Every instance is valid: the constructor checks each field and names it in its message, in the
 * form bundle.json errors use. Build one with {@link #defaults} and {@link #toBuilder()}.
 *
 * @param channels 1 (grayscale) or 3 (colour)
 * @param mean     one value per channel, in the units of {@code range}
 * @param std      one finite value above 0 per channel
 * @param crop     timm's {@code crop_pct} in (0, 1]; null resizes the whole image without cropping
 */
public record Preprocessing(Layout layout, int channels, int height, int width, List<Double> mean, List<Double> std,
        Interpolation interpolation, Double crop, ChannelOrder channelOrder, ValueRange range) {

    private static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);
    private static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);

    public Preprocessing {
        require(layout, "layout");
        require(interpolation, "resize");
        require(channelOrder, "channelOrder");
        require(range, "range");
        if (channels != 1 && channels != 3) {
            throw fail("channels", channels, "1 (grayscale) or 3 (colour)");
        }
        // the model's input size: larger than any image jedge decodes would only allocate without end
        if (height < 1 || height > io.jedge.sdk.vision.ImagePreprocessor.MAX_SIDE) {
            throw fail("height", height, "1 to " + io.jedge.sdk.vision.ImagePreprocessor.MAX_SIDE);
        }
        if (width < 1 || width > io.jedge.sdk.vision.ImagePreprocessor.MAX_SIDE) {
            throw fail("width", width, "1 to " + io.jedge.sdk.vision.ImagePreprocessor.MAX_SIDE);
        }
        mean = perChannel("mean", mean, channels, false);
        std = perChannel("std", std, channels, true);
        if (crop != null && !(crop > 0 && crop <= 1)) {
            throw fail("crop", crop, "a fraction in (0, 1] (timm's crop_pct), or no crop");
        }
        if (channels == 1 && channelOrder != ChannelOrder.RGB) {
            throw fail("channelOrder", channelOrder.id(), "rgb for a 1-channel (grayscale) input");
        }
    }

    /**
     * What jedge assumes when nothing else is known: NCHW, bilinear resize of the whole image, RGB,
     * [0,1]; ImageNet mean/std for 3 channels, mean 0 and std 1 for 1 channel.
     */
    public static Preprocessing defaults(int channels, int height, int width) {
        boolean rgb = channels == 3;
        return new Preprocessing(Layout.NCHW, channels, height, width, rgb ? IMAGENET_MEAN : List.of(0.0),
                rgb ? IMAGENET_STD : List.of(1.0), Interpolation.BILINEAR, null, ChannelOrder.RGB, ValueRange.UNIT);
    }

    /** ImageNet statistics, bilinear resize, NCHW, size×size RGB. */
    public static Preprocessing imagenet(int size) {
        return defaults(3, size, size);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void require(Object v, String field) {
        if (v == null) {
            throw new IllegalArgumentException("field 'preprocessing." + field + "' is missing");
        }
    }

    private static IllegalArgumentException fail(String field, Object found, String expected) {
        return new IllegalArgumentException("field 'preprocessing." + field + "': found " + found + ", expected " + expected);
    }

    private static List<Double> perChannel(String field, List<Double> values, int channels, boolean divisor) {
        require(values, field);
        if (values.size() != channels) {
            throw fail(field, values.size() + " values " + values, channels + " (one per channel)");
        }
        for (int i = 0; i < values.size(); i++) {
            Double v = values.get(i);
            // a negative std flips the channel's sign: the model would see an inverted image without an error
            if (v == null || !Double.isFinite(v) || (divisor && v <= 0)) {
                throw fail(field + "[" + i + "]", v, divisor ? "a finite number above 0" : "a finite number");
            }
        }
        return List.copyOf(values);
    }

    /** Memory order of the image tensor. */
    public enum Layout {
        NCHW, NHWC;

        public String id() {
            return name();
        }

        public static Layout parse(String s) {
            return Enums.parse(Layout.class, s, "layout");
        }
    }

    /**
     * Resize filter, as PIL defines it (what torchvision and timm use on PIL images): nearest
     * takes the source pixel under each output pixel's centre, bilinear a triangle filter and
     * bicubic the cubic convolution kernel with a = -0.5; both widen with the scale when
     * shrinking (antialiased).
     */
    public enum Interpolation {
        NEAREST, BILINEAR, BICUBIC;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Interpolation parse(String s) {
            return Enums.parse(Interpolation.class, s, "interpolation");
        }
    }

    /** Order of the colour channels in the tensor. */
    public enum ChannelOrder {
        RGB, BGR;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static ChannelOrder parse(String s) {
            return Enums.parse(ChannelOrder.class, s, "channel order");
        }
    }

    /** Pixel scale before normalisation: 8-bit values divided by 255, or kept as they are. */
    public enum ValueRange {
        UNIT("0-1", 255.0), BYTE("0-255", 1.0);

        private final String id;
        private final double divisor;

        ValueRange(String id, double divisor) {
            this.id = id;
            this.divisor = divisor;
        }

        public String id() {
            return id;
        }

        /** What an 8-bit value is divided by. */
        public double divisor() {
            return divisor;
        }

        public static ValueRange parse(String s) {
            for (ValueRange r : values()) {
                if (r.id.equals(s == null ? null : s.trim())) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown value range '" + s + "', expected one of: 0-1, 0-255");
        }
    }

    /** Changes some fields of a valid instance; {@link #build()} validates. */
    public static final class Builder {
        private Layout layout;
        private int channels;
        private int height;
        private int width;
        private List<Double> mean;
        private List<Double> std;
        private Interpolation interpolation;
        private Double crop;
        private ChannelOrder channelOrder;
        private ValueRange range;

        private Builder(Preprocessing p) {
            layout = p.layout;
            channels = p.channels;
            height = p.height;
            width = p.width;
            mean = p.mean;
            std = p.std;
            interpolation = p.interpolation;
            crop = p.crop;
            channelOrder = p.channelOrder;
            range = p.range;
        }

        public Builder layout(Layout l) {
            layout = l;
            return this;
        }

        /** Channel count; mean and std must then be given for as many channels. */
        public Builder channels(int c) {
            channels = c;
            return this;
        }

        public Builder size(int h, int w) {
            height = h;
            width = w;
            return this;
        }

        public Builder mean(List<Double> m) {
            mean = m == null ? null : new ArrayList<>(m);
            return this;
        }

        public Builder std(List<Double> s) {
            std = s == null ? null : new ArrayList<>(s);
            return this;
        }

        public Builder interpolation(Interpolation i) {
            interpolation = i;
            return this;
        }

        /** timm's crop_pct; null for a plain resize. */
        public Builder crop(Double c) {
            crop = c;
            return this;
        }

        public Builder channelOrder(ChannelOrder o) {
            channelOrder = o;
            return this;
        }

        public Builder range(ValueRange r) {
            range = r;
            return this;
        }

        public Preprocessing build() {
            return new Preprocessing(layout, channels, height, width, mean, std, interpolation, crop, channelOrder, range);
        }
    }
}
