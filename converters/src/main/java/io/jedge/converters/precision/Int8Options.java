package io.jedge.converters.precision;

import java.util.ArrayList;
import java.util.List;

/**
 * How {@link Int8Quantizer} quantizes. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * Int8Options o = Int8Options.builder().profile(QuantProfile.TENSORRT).method(CalibrationMethod.ENTROPY)
 *         .excludeLayers(List.of("blocks.11.*")).build();
 * }</pre>
 *
 * @param profile target runtime (Q/DQ placement, zero points, bias format)
 * @param method activation calibrator
 * @param activationType activation integer type: INT8 symmetric (TensorRT's only choice) or UINT8
 *     asymmetric (ORT CPU's default)
 * @param excludeLayers layer or node-name globs never quantized, in addition to the defaults
 * @param defaultExclusions apply {@link #DEFAULT_EXCLUDED_LAYERS} and the first/last-layer rule
 *     (quantization.md §6.6); off quantizes the patch embedding and the head too
 * @param quantizeAttention also quantize activation×activation MatMuls (attention BMMs, softmax
 *     output included); off by default (§6.5)
 * @param minGemmSize GEMMs with K or N below this, and Convs with both channel counts below it,
 *     stay float (TensorRT's small-GEMM rule, §2.5)
 * @param maxAutoExclude layers the validation loop may exclude to reach the cosine target; -1
 *     means a quarter of the quantized layers (at least 1), 0 turns the loop off
 * @param reduceRange 7-bit activations for U8S8 kernels on x86 CPUs without VNNI
 */
public record Int8Options(QuantProfile profile, CalibrationMethod method, QuantType activationType,
        List<String> excludeLayers, boolean defaultExclusions, boolean quantizeAttention, int minGemmSize,
        int maxAutoExclude, boolean reduceRange) {
    /**
     * Layer-name globs kept float by default in ViTs and diffusion models (modelopt's and
     * demoDiffusion's lists, §3.2, §6.6): embeddings, UNet/DiT input and output convs and
     * projections, time/text embedders, adaLN modulation.
     */
    public static final List<String> DEFAULT_EXCLUDED_LAYERS = List.of("*embed*", "*conv_in*", "*conv_out*",
            "*conv_shortcut*", "*time_emb*", "*norm_out*", "*proj_out*", "*adaLN*", "*modulation*", "*time_text*",
            "*context_embedder*", "*caption_projection*");

    /** Checks every value; a null activation type is the profile's (INT8 for TensorRT, UINT8 otherwise). */
    public Int8Options {
        if (profile == null || method == null) {
            throw new IllegalArgumentException("INT8 profile and calibration method must be set, found profile="
                    + profile + ", method=" + method);
        }
        if (activationType == null) {
            activationType = profile == QuantProfile.TENSORRT ? QuantType.INT8 : QuantType.UINT8;
        }
        if (profile == QuantProfile.TENSORRT && activationType != QuantType.INT8) {
            throw new IllegalArgumentException("activation type " + activationType + " for the tensorrt profile, expected INT8 "
                    + "(TensorRT only takes symmetric int8 with zero point 0)");
        }
        if (minGemmSize < 1) {
            throw new IllegalArgumentException("minimum GEMM size " + minGemmSize + ", expected >= 1");
        }
        if (maxAutoExclude < -1) {
            throw new IllegalArgumentException("max auto-excluded layers " + maxAutoExclude + ", expected -1 (a quarter), 0 (off) or more");
        }
        if (excludeLayers == null) {
            throw new IllegalArgumentException("excludeLayers must not be null; use an empty list for none");
        }
        excludeLayers = List.copyOf(excludeLayers);
    }

    public static Int8Options defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; the record's constructor validates. */
    public static final class Builder {
        private QuantProfile profile = QuantProfile.ORT_CPU;
        private CalibrationMethod method = CalibrationMethod.ENTROPY;
        private QuantType activationType;
        private final List<String> exclude = new ArrayList<>();
        private boolean defaults = true;
        private boolean attention;
        private int minGemm = 16;
        private int maxAuto = -1;
        private boolean reduceRange;

        public Builder profile(QuantProfile p) {
            profile = p;
            return this;
        }

        public Builder method(CalibrationMethod m) {
            method = m;
            return this;
        }

        /** Activation type; unset: INT8 for TensorRT, UINT8 for ORT CPU. */
        public Builder activationType(QuantType t) {
            activationType = t;
            return this;
        }

        /** Adds layer or node-name globs to exclude. */
        public Builder excludeLayers(List<String> globs) {
            for (String g : globs) {
                if (!g.isBlank()) {
                    exclude.add(g.strip());
                }
            }
            return this;
        }

        public Builder defaultExclusions(boolean on) {
            defaults = on;
            return this;
        }

        public Builder quantizeAttention(boolean on) {
            attention = on;
            return this;
        }

        public Builder minGemmSize(int n) {
            minGemm = n;
            return this;
        }

        public Builder maxAutoExclude(int n) {
            maxAuto = n;
            return this;
        }

        public Builder reduceRange(boolean on) {
            reduceRange = on;
            return this;
        }

        public Int8Options build() {
            return new Int8Options(profile, method, activationType, exclude, defaults, attention, minGemm, maxAuto, reduceRange);
        }
    }
}
