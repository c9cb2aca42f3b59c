/**
 * Dynamic batching in front of one model variant: {@link io.jedge.runtime.batching.DynamicBatcher}
 * queues single requests (bounded, with back-pressure or rejection when full), groups them up to a
 * maximum batch or a maximum delay, optionally shaped to preferred batch sizes, runs each group
 * once through a {@link io.jedge.runtime.batching.BatchFunction} on its own worker threads, and
 * answers every request individually through a {@code CompletableFuture}; cancellation, per-request
 * deadlines, failures of the batch function and shutdown each complete a request exactly once.
 */
package io.jedge.runtime.batching;
