package io.jedge.converters.precision;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@link Fp16Converter} keeps in FP32 (quantization.md §4.4). Immutable; build with
 * {@link #builder()}.
 *
 * <pre>{@code
 * Fp16Options o = Fp16Options.builder().keepFp32("blocks.11.*").longSoftmaxAxis(256).build();
 * }</pre>
 *
 * @param keepFp32Ops op types that always run in FP32 (default {@link #DEFAULT_KEEP_FP32_OPS})
 * @param keepFp32Nodes node-name globs ({@code *} any run of characters, {@code ?} one) whose
 *     nodes run in FP32, e.g. {@code blocks.3.attn/*} or an ELFATT global head's name
 * @param longSoftmaxAxis a Softmax whose axis is statically longer than this stays FP32, with the
 *     MatMuls that contract its output (softmax over tokens, ELFATT's KᵀV) and the layout ops
 *     between them; 0 turns the rule off
 * @param keepResidualAdds keep the residual-stream Adds (activation + activation whose operand or
 *     result feeds a normalization) in FP32, for large DiTs whose residuals grow past FP16's range
 * @param keepIoFp32 graph inputs and outputs stay float32, with Casts at the boundary
 */
public record Fp16Options(Set<String> keepFp32Ops, List<String> keepFp32Nodes, int longSoftmaxAxis,
        boolean keepResidualAdds, boolean keepIoFp32) {
    /**
     * Normalizations and reductions, the ops whose FP16 forms lose range or precision, and the
     * ops onnxconverter-common and modelopt keep in FP32 (index and shape math, Resize scales).
     */
    public static final Set<String> DEFAULT_KEEP_FP32_OPS = Set.of("LayerNormalization", "GroupNormalization",
            "InstanceNormalization", "BatchNormalization", "ReduceMean", "ReduceSum", "ReduceSumSquare", "ReduceL1",
            "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceProd", "CumSum", "Range", "TopK", "NonMaxSuppression",
            "RoiAlign", "Resize", "Upsample", "RandomUniformLike", "RandomNormalLike", "Multinomial", "EyeLike", "Celu");
    /** Softmax axis length above which the long-softmax rule applies. */
    public static final int DEFAULT_LONG_SOFTMAX_AXIS = 256;

    public Fp16Options {
        if (keepFp32Ops == null || keepFp32Nodes == null) {
            throw new IllegalArgumentException("keep-fp32 ops and node patterns must not be null; use empty sets for none");
        }
        if (longSoftmaxAxis < 0) {
            throw new IllegalArgumentException("long-softmax axis length " + longSoftmaxAxis + ", expected >= 0 (0 turns the rule off)");
        }
        for (String n : keepFp32Nodes) {
            if (n == null || n.isBlank()) {
                throw new IllegalArgumentException("keep-fp32 node pattern is blank, expected a node name or glob");
            }
            Globs.compile(n);
        }
        keepFp32Ops = Set.copyOf(keepFp32Ops);
        keepFp32Nodes = List.copyOf(keepFp32Nodes);
    }

    /** The defaults: {@link #DEFAULT_KEEP_FP32_OPS}, long softmax over 256, FP32 I/O. */
    public static Fp16Options defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether a node of this op type and name is kept FP32 by the explicit lists. */
    public boolean listed(String opType, String nodeName) {
        if (keepFp32Ops.contains(opType)) {
            return true;
        }
        for (String p : keepFp32Nodes) {
            if (Globs.matches(p, nodeName)) {
                return true;
            }
        }
        return false;
    }

    /** Builder; the record's constructor validates. */
    public static final class Builder {
        private final Set<String> ops = new LinkedHashSet<>(DEFAULT_KEEP_FP32_OPS);
        private final List<String> nodes = new ArrayList<>();
        private int longSoftmaxAxis = DEFAULT_LONG_SOFTMAX_AXIS;
        private boolean residualAdds;
        private boolean io = true;

        /** Replaces the kept op types (pass an empty set to keep nothing by type). */
        public Builder keepFp32Ops(Set<String> opTypes) {
            ops.clear();
            ops.addAll(opTypes);
            return this;
        }

        /**
         * Adds entries to keep FP32: an entry that looks like an ONNX op type (a capitalised
         * identifier such as {@code Softmax}) is added to the op types, and every entry is also a
         * node-name glob.
         */
        public Builder keepFp32(String... entries) {
            for (String e : entries) {
                String s = e.strip();
                if (s.isEmpty()) {
                    continue;
                }
                if (s.matches("[A-Z][A-Za-z0-9]*")) {
                    ops.add(s);
                }
                nodes.add(s);
            }
            return this;
        }

        /** Adds node-name globs kept FP32. */
        public Builder keepFp32Nodes(List<String> globs) {
            nodes.addAll(globs);
            return this;
        }

        public Builder longSoftmaxAxis(int length) {
            longSoftmaxAxis = length;
            return this;
        }

        public Builder keepResidualAdds(boolean keep) {
            residualAdds = keep;
            return this;
        }

        public Builder keepIoFp32(boolean keep) {
            io = keep;
            return this;
        }

        public Fp16Options build() {
            return new Fp16Options(ops, nodes, longSoftmaxAxis, residualAdds, io);
        }
    }
}
