package io.jedge.converters.precision;

/**
 * Where the output channels of a constant weight lie, which fixes its per-channel quantization
 * axis (quantization.md §1.5, §2.1, §6.3). Never the reduction (K) axis.
 */
public enum WeightLayout {
    /** Conv weight {@code [O, I/g, kh, kw...]}: axis 0. */
    CONV,
    /** ConvTranspose weight {@code [I, O/g, kh, kw...]}: axis 1. */
    CONV_TRANSPOSE,
    /** MatMul constant B {@code [..., K, N]}: the last axis (N). */
    MATMUL_B,
    /** Gemm B {@code [K, N]} with {@code transB = 0}: axis 1. */
    GEMM_B,
    /** Gemm B stored {@code [N, K]} with {@code transB = 1}: axis 0. */
    GEMM_B_TRANSPOSED;

    /**
     * The channel axis for a weight of rank {@code rank}.
     *
     * @throws IllegalArgumentException if the rank cannot hold this layout
     */
    public int channelAxis(int rank) {
        boolean ok = switch (this) {
            case CONV, CONV_TRANSPOSE -> rank >= 3;
            case MATMUL_B -> rank >= 2;
            case GEMM_B, GEMM_B_TRANSPOSED -> rank == 2;
        };
        if (!ok) {
            String expected = switch (this) {
                case CONV, CONV_TRANSPOSE -> ">= 3";
                case MATMUL_B -> ">= 2";
                case GEMM_B, GEMM_B_TRANSPOSED -> "2";
            };
            throw new IllegalArgumentException(this + " weight of rank " + rank + ", expected rank " + expected);
        }
        return switch (this) {
            case CONV, GEMM_B_TRANSPOSED -> 0;
            case CONV_TRANSPOSE, GEMM_B -> 1;
            case MATMUL_B -> rank - 1;
        };
    }
}
