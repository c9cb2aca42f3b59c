package io.jedge.converters.precision;

/**
 * The outcome of calibrating one activation tensor: its clipping threshold and observed extremes.
 *
 * @param amax the symmetric clipping threshold, {@code 0 <= amax <= max(|min|, |max|)}
 * @param min the smallest finite value observed
 * @param max the largest finite value observed
 * @param method the method that produced {@code amax}; {@link CalibrationMethod#PERCENTILE} when an
 *     entropy search fell back to the percentile rule
 */
public record CalibratedRange(float amax, float min, float max, CalibrationMethod method) {
    public CalibratedRange {
        if (method == null) {
            throw new IllegalArgumentException("calibration method is null");
        }
        if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
            throw new IllegalArgumentException("observed range [" + min + ", " + max + "], expected finite min <= max");
        }
        float absMax = Math.max(Math.abs(min), Math.abs(max));
        if (!(amax >= 0) || amax > absMax) {
            throw new IllegalArgumentException("amax " + amax + ", expected within [0, " + absMax + "] (the observed |x| max)");
        }
    }

    /** Whether no negative value was observed (post-ReLU/Softmax-like): a candidate for asymmetric UINT8 on ORT CPU. */
    public boolean nonNegative() {
        return min >= 0;
    }

    /** TensorRT profile (and ORT-CPU S8S8): int8, zero point 0, {@code scale = amax / 127}. */
    public QuantParams symmetricInt8() {
        return QuantParams.symmetricInt8(amax);
    }

    /**
     * Asymmetric parameters for ORT CPU (typically {@link QuantType#UINT8} on one-sided tensors):
     * the range {@code [max(min, −amax), min(max, amax)]}, i.e. the symmetric threshold clipped to
     * the observed extremes as ORT's calibrators do, widened to include 0.
     */
    public QuantParams asymmetric(QuantType type, boolean reduceRange) {
        float lo = Math.max(min, -amax);
        float hi = Math.min(max, amax);
        return QuantParams.ofRange(lo, hi, type, false, reduceRange);
    }
}
