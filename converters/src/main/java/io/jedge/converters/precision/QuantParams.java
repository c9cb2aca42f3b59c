package io.jedge.converters.precision;

/**
 * Per-tensor quantization parameters of one QuantizeLinear/DequantizeLinear pair: {@code scale},
 * {@code zeroPoint} and the integer {@code type}, with the ONNX arithmetic applied to single values.
 *
 * <p>The factories follow ONNX Runtime's {@code compute_scale_zp} (quantization.md §1.4): the range
 * is widened to include 0; if symmetric it becomes {@code ±absmax}; {@code scale = (rmax − rmin) /
 * (qmax − qmin)}; the zero point is {@code (qmin + qmax) / 2} rounded half to even when symmetric
 * (0 for int8, 128 for uint8) and {@code round(qmin − rmin / scale)} otherwise, then clamped to
 * {@code [qmin, qmax]}; a scale below the smallest normal float becomes {@code (1, 0)}.
 *
 * <pre>{@code
 * QuantParams trt = QuantParams.symmetricInt8(amax);           // scale = amax / 127, zero point 0
 * QuantParams cpu = QuantParams.ofRange(-0.3f, 6f, QuantType.UINT8, false, false);
 * }</pre>
 *
 * @param scale positive, finite
 * @param zeroPoint within {@code type}'s range
 * @param type the element type QuantizeLinear saturates to
 */
public record QuantParams(float scale, int zeroPoint, QuantType type) {
    public QuantParams {
        if (type == null) {
            throw new IllegalArgumentException("quantization type is null, expected INT8 or UINT8");
        }
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("quantization scale " + scale + ", expected a positive finite number");
        }
        if (zeroPoint < type.min() || zeroPoint > type.max()) {
            throw new IllegalArgumentException("zero point " + zeroPoint + " outside " + type + " range ["
                    + type.min() + ", " + type.max() + "]");
        }
    }

    /**
     * TensorRT's (and ORT's symmetric) activation parameters: int8, zero point 0,
     * {@code scale = amax / 127} (or 1 when amax is 0).
     *
     * @param amax the calibrated clipping threshold, finite and {@code >= 0}
     */
    public static QuantParams symmetricInt8(float amax) {
        if (!(amax >= 0) || !Float.isFinite(amax)) {
            throw new IllegalArgumentException("amax " + amax + ", expected a finite number >= 0");
        }
        return ofRange(-amax, amax, QuantType.INT8, true, false);
    }

    /**
     * Parameters that represent {@code [rmin, rmax]} (widened to include 0) in {@code type}.
     *
     * @param symmetric use {@code ±max(|rmin|, |rmax|)} and the symmetric integer range
     * @param reduceRange 7-bit range (int8 [-64, 64], uint8 [0, 127]) for non-VNNI x86 U8S8 kernels
     */
    public static QuantParams ofRange(float rmin, float rmax, QuantType type, boolean symmetric, boolean reduceRange) {
        if (!Float.isFinite(rmin) || !Float.isFinite(rmax) || rmin > rmax) {
            throw new IllegalArgumentException("quantization range [" + rmin + ", " + rmax
                    + "], expected finite bounds with rmin <= rmax");
        }
        int[] q = type.scaleRange(symmetric, reduceRange);
        int qmin = q[0];
        int qmax = q[1];
        double lo = Math.min(rmin, 0f);
        double hi = Math.max(rmax, 0f);
        if (symmetric) {
            double a = Math.max(Math.abs(lo), Math.abs(hi));
            lo = -a;
            hi = a;
        }
        double scale = (hi - lo) / ((double) qmax - qmin);
        if (scale < Float.MIN_NORMAL) {
            return new QuantParams(1f, 0, type);
        }
        double zp = symmetric ? Math.rint((qmin + qmax) / 2.0) : Math.rint(qmin - lo / scale);
        int zeroPoint = (int) Math.max(qmin, Math.min(qmax, zp));
        return new QuantParams((float) scale, zeroPoint, type);
    }

    /**
     * ONNX QuantizeLinear on one value: {@code saturate(rint(x / scale) + zeroPoint)}, division in
     * float32, rounding half to even, saturating to the type's full range. NaN maps to the zero point.
     */
    public int quantize(float x) {
        return quantize(x, scale, zeroPoint, type.min(), type.max());
    }

    /** ONNX DequantizeLinear on one value: {@code (q − zeroPoint) · scale} in float32. */
    public float dequantize(int q) {
        return (q - zeroPoint) * scale;
    }

    /** {@code dequantize(quantize(x))}: the value the runtime sees after a Q/DQ pair. */
    public float fakeQuantize(float x) {
        return dequantize(quantize(x));
    }

    static int quantize(float x, float scale, int zeroPoint, int qmin, int qmax) {
        float r = x / scale;
        if (Float.isNaN(r)) {
            return zeroPoint;
        }
        double v = Math.rint(r) + zeroPoint;
        return v < qmin ? qmin : v > qmax ? qmax : (int) v;
    }
}
