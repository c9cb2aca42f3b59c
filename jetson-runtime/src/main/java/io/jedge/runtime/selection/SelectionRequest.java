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

    /** Checks every value, as {@link io.jedge.sdk.LoadOptions} does for the same settings. */
    public SelectionRequest {
        if (role == null || goal == null || precisionFloor == null) {
            throw new IllegalArgumentException("selection request: role, goal and precision floor must be set, found role=" + role
                    + ", goal=" + goal + ", precisionFloor=" + precisionFloor);
        }
        if (minFidelity != null && !(minFidelity > 0 && minFidelity <= 1)) {
            throw new IllegalArgumentException("minFidelity " + minFidelity + ", expected a cosine in (0, 1]");
        }
        if (backend == null || backend.isBlank()) {
            throw new IllegalArgumentException("selection request: backend must be auto or a backend name, found " + backend);
        }
        if (maxBatch < 0) {
            throw new IllegalArgumentException("maxBatch " + maxBatch + ", expected 0 (the variant's maximum) or more");
        }
    }
}
