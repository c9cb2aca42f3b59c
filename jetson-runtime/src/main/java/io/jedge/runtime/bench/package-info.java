/**
 * Measuring sessions: latency percentiles (p50 to p99) and throughput per batch size and IO path, the
 * TensorRT stage split and Java-side overhead, and the dynamic batcher against hand-made full batches.
 */
package io.jedge.runtime.bench;
