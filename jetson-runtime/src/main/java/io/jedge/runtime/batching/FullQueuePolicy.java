package io.jedge.runtime.batching;

/** What {@link DynamicBatcher#submit} does when the request queue is at capacity. */
public enum FullQueuePolicy {
    /** Throw a {@link QueueFullException} at once. */
    REJECT,
    /**
     * Block the submitting thread until a slot frees up (back-pressure), at most for
     * {@link BatcherOptions#blockTimeout()}; then throw a {@link QueueFullException}.
     */
    BLOCK
}
