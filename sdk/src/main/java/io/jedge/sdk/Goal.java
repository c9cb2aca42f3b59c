package io.jedge.sdk;

/** What the runtime optimises when it chooses a variant. */
public enum Goal {
    /** Lowest latency of a single request (batch 1). */
    LATENCY,
    /** Most inferences per second (largest useful batch). */
    THROUGHPUT
}
