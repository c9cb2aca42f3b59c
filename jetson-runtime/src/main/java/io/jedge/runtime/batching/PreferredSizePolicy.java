package io.jedge.runtime.batching;

/**
 * How a {@link DynamicBatcher} meets {@link BatcherOptions#preferredBatchSizes()} when the rows at
 * hand are not a preferred size.
 */
public enum PreferredSizePolicy {
    /**
     * Run the largest preferred size that the queued rows fill, and leave the rest for the next
     * batch: with {1, 2, 4, 8} and 6 rows queued, run 4 then 2. Nothing is computed twice, so this
     * suits backends that accept any batch (CPU, dynamic-shape engines). When fewer rows are queued
     * than the smallest preferred size, or requests of several rows do not add up to a preferred
     * size, the batch runs at the size it has.
     */
    SPLIT,
    /**
     * Run all rows at hand and pad the batch up to the smallest preferred size that holds them,
     * with copies of the last row whose outputs are discarded: with {1, 2, 4, 8} and 6 rows, run 8.
     * This is what servers do for engines built with fixed optimisation profiles. The preferred
     * sizes must then include {@link BatcherOptions#maxBatch()}.
     */
    PAD
}
