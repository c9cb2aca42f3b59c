package io.jedge.runtime.selection;

import io.jedge.sdk.Goal;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Role;

/**
 * The caller's side of a selection.
 *
 * @param role           which part of the bundle to choose for (MODEL, DENOISER, DECODER)
 * @param goal           latency at batch 1, or throughput
 * @param precisionFloor lowest precision allowed
 * @param minFidelity    lowest fidelity/accuracy cosine allowed (null: any)
 * @param backend        {@code auto} or a backend name to insist on
 * @param forcedVariant  a variant id chosen by the caller (null: choose)
 * @param maxBatch       upper bound on the batch (0: the variant's maximum)
 */
public record SelectionRequest(Role role, Goal goal, Precision precisionFloor, Double minFidelity, String backend,
        String forcedVariant, int maxBatch) {
}
