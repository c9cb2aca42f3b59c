/** Measuring sessions: latency percentiles and throughput per batch size. */
package io.jedge.runtime.bench;
