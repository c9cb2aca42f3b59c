package io.jedge.runtime.backend;

/** IEEE 754 binary16 conversions for FP16 tensors (Java 17 has no {@code Float.floatToFloat16}); shared by the ONNX writer and both backends ({@link Staging}). */
public final class Float16 {
    private Float16() {
    }

    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: value = mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Rounds to nearest, ties to even; overflow goes to infinity, as a cast in hardware does; NaN stays NaN (quiet,
     * with its sign and the payload's top bits). Branch-free for normal results (F. Giesen's float_to_half_fast3_rtne):
     * no branch depends on the mantissa, which in staging loops cost a misprediction on every other element. Checked
     * against the previous, branching version on all 2^32 floats (benchmarks/staging-cpu-2026-12-03.md).
     */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int u = bits & 0x7fffffff;
        if (u >= 0x47800000) { // |f| >= 2^16: infinity, or NaN
            return (short) (sign | 0x7c00 | (u > 0x7f800000 ? 0x200 | ((u >>> 13) & 0x3ff) : 0));
        }
        if (u < 0x38800000) { // below 2^-14: a subnormal half or zero; adding 0.5f rounds to nearest even for us
            return (short) (sign | (Float.floatToRawIntBits(Float.intBitsToFloat(u) + 0.5f) - 0x3f000000));
        }
        // rebias the exponent (-112 << 23) and add just under half an ulp, plus one when the kept mantissa is odd:
        // ties go to even, and a carry out of the mantissa rounds into the exponent (up to infinity) as it should
        u += 0xc8000fff + ((u >>> 13) & 1);
        return (short) (sign | (u >>> 13));
    }
}
