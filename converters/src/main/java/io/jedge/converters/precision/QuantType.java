package io.jedge.converters.precision;

/** The 8-bit integer element types a QuantizeLinear may produce, with their saturation range. */
public enum QuantType {
    /** ONNX INT8: saturates to [-128, 127]; the only type TensorRT accepts (with zero point 0). */
    INT8(-128, 127),
    /** ONNX UINT8: saturates to [0, 255]; ORT CPU's asymmetric activation type. */
    UINT8(0, 255);

    private final int min;
    private final int max;

    QuantType(int min, int max) {
        this.min = min;
        this.max = max;
    }

    /** Smallest representable value. */
    public int min() {
        return min;
    }

    /** Largest representable value. */
    public int max() {
        return max;
    }

    /**
     * The integer range a scale is computed over, as ONNX Runtime's {@code get_qmin_qmax_for_qType}
     * (quantization.md §1.4): int8 symmetric [-127, 127], int8 [-128, 127], uint8 [0, 255];
     * with {@code reduceRange} (7-bit) int8 [-64, 64] and uint8 [0, 127].
     *
     * @return {@code {qmin, qmax}}
     */
    int[] scaleRange(boolean symmetric, boolean reduceRange) {
        if (this == UINT8) {
            return reduceRange ? new int[] {0, 127} : new int[] {0, 255};
        }
        if (reduceRange) {
            return new int[] {-64, 64};
        }
        return symmetric ? new int[] {-127, 127} : new int[] {-128, 127};
    }
}
