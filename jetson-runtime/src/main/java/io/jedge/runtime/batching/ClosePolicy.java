package io.jedge.runtime.batching;

/** What {@link DynamicBatcher#shutdown()} does with requests still queued. */
public enum ClosePolicy {
    /** Run every queued request (without waiting for the maximum delay) before the workers stop. */
    DRAIN,
    /**
     * Fail every queued request at once with a {@link java.util.concurrent.RejectedExecutionException};
     * batches already running still complete.
     */
    FAIL
}
