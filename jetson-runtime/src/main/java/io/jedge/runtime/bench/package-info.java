/**
 * Measuring sessions: latency percentiles (p50 to p99) and throughput per batch size and IO path, the
 * TensorRT stage split and Java-side overhead, the dynamic batcher against hand-made full
 * batches, and its latency against offered load (open loop).
 */
package io.jedge.runtime.bench;
