package io.jedge.converters.precision;

import io.jedge.sdk.Tensor;
import java.util.Arrays;

/**
 * A weight quantized to symmetric int8 per channel, ready for an int8 initializer feeding a
 * per-axis DequantizeLinear (zero points all 0).
 *
 * <p>For each channel {@code c} along {@link #axis()}: {@code scale_c = max|w_c| / 127}, or 1 when
 * that is below the smallest normal float (an all-zero channel); {@code q = clip(rint(w / scale_c),
 * −127, 127)} with float32 division and rounding half to even, as ONNX QuantizeLinear does
 * (quantization.md §6.3). Immutable once built; {@link #values()} returns the backing array.
 *
 * <pre>{@code
 * int axis = WeightLayout.CONV.channelAxis(4);
 * QuantizedWeights q = QuantizedWeights.symmetricPerChannel(w, new long[] {64, 3, 7, 7}, axis);
 * }</pre>
 */
public final class QuantizedWeights {
    /** Largest magnitude of a symmetric int8 weight. */
    public static final int QMAX = 127;

    private final byte[] values;
    private final float[] scales;
    private final long[] shape;
    private final int axis;

    private QuantizedWeights(byte[] values, float[] scales, long[] shape, int axis) {
        this.values = values;
        this.scales = scales;
        this.shape = shape;
        this.axis = axis;
    }

    /**
     * Quantizes {@code weights} (row-major, shape {@code shape}) per channel along {@code axis}.
     *
     * @param axis channel axis; negative values count from the end as in ONNX
     * @throws IllegalArgumentException on a shape/length mismatch, a bad axis, or a non-finite weight
     */
    public static QuantizedWeights symmetricPerChannel(float[] weights, long[] shape, int axis) {
        long n = Tensor.elementCount(shape);
        if (n != weights.length) {
            throw new IllegalArgumentException("weight shape " + Arrays.toString(shape) + " holds " + n
                    + " values, but " + weights.length + " were given");
        }
        int rank = shape.length;
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("channel axis " + axis + " for weight shape " + Arrays.toString(shape)
                    + ", expected in [" + -rank + ", " + (rank - 1) + "]");
        }
        int channels = Math.toIntExact(shape[a]);
        long innerL = 1;
        for (int d = a + 1; d < rank; d++) {
            innerL *= shape[d];
        }
        int inner = Math.toIntExact(innerL);
        int outer = channels == 0 || inner == 0 ? 0 : weights.length / (channels * inner);

        float[] absMax = new float[channels];
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                int base = (o * channels + c) * inner;
                float m = absMax[c];
                for (int k = base; k < base + inner; k++) {
                    float w = weights[k];
                    if (!Float.isFinite(w)) {
                        throw new IllegalArgumentException("weight value " + w + " at flat index " + k + " (channel " + c
                                + " of axis " + a + "), expected a finite number");
                    }
                    m = Math.max(m, Math.abs(w));
                }
                absMax[c] = m;
            }
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            float s = absMax[c] / QMAX;
            scales[c] = s < Float.MIN_NORMAL ? 1f : s;
        }
        byte[] q = new byte[weights.length];
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                int base = (o * channels + c) * inner;
                float s = scales[c];
                for (int k = base; k < base + inner; k++) {
                    q[k] = (byte) QuantParams.quantize(weights[k], s, 0, -QMAX, QMAX);
                }
            }
        }
        return new QuantizedWeights(q, scales, shape.clone(), a);
    }

    /** Same as {@link #symmetricPerChannel(float[], long[], int)} for a FLOAT32 tensor. */
    public static QuantizedWeights symmetricPerChannel(Tensor weights, int axis) {
        return symmetricPerChannel(weights.floats(), weights.shape(), axis);
    }

    /** The int8 values, row-major in {@link #shape()}; the backing array, not a copy: do not modify. */
    public byte[] values() {
        return values;
    }

    /** One scale per channel along {@link #axis()} (a copy). */
    public float[] scales() {
        return scales.clone();
    }

    /** The weight's shape (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** The channel axis, normalised to {@code [0, rank)}. */
    public int axis() {
        return axis;
    }

    /** Number of channels, {@code shape[axis]}. */
    public int channels() {
        return scales.length;
    }

    /** DequantizeLinear of the whole weight: {@code q · scale_c} in float32. */
    public float[] dequantize() {
        int channels = scales.length;
        long innerL = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            innerL *= shape[d];
        }
        int inner = (int) innerL;
        float[] out = new float[values.length];
        for (int k = 0; k < values.length; k++) {
            int c = (k / inner) % channels;
            out[k] = values[k] * scales[c];
        }
        return out;
    }

    @Override
    public String toString() {
        return "QuantizedWeights[shape=" + Arrays.toString(shape) + ", axis=" + axis + "]";
    }
}
