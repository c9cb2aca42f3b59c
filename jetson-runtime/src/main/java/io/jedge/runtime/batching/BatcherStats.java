package io.jedge.runtime.batching;

import java.time.Duration;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A snapshot of a {@link DynamicBatcher}'s counters. Every submitted request ends in exactly one
 * of answered, failed, timedOut, cancelled or failedOnClose, or is still queued or running, so
 * {@code submitted == answered + failed + timedOut + cancelled + failedOnClose + pending}. Counters
 * are read one by one, so a snapshot taken while requests flow may be off by the requests in
 * transit.
 *
 * @param submitted requests accepted into the queue
 * @param answered requests completed with their outputs
 * @param failed requests failed because their batch function threw (see {@link BatchFailedException})
 * @param timedOut requests that reached their deadline before they started
 * @param cancelled requests cancelled (or completed by the caller) before they were answered
 * @param failedOnClose queued requests failed by a close under {@link ClosePolicy#FAIL}
 * @param rejected submits refused because the queue was full (not counted in {@code submitted})
 * @param pending requests queued or running now
 * @param batches batches run, failed ones included
 * @param paddedRows rows added by {@link PreferredSizePolicy#PAD}, over all batches
 * @param batchSizes batches run by size in rows (padding included), ascending
 * @param queueWait time from entering the queue to being gathered into a batch (not counting the up to one batch's run
 *                  a gathered batch may wait for its lane)
 * @param runTime time of one batch function call
 */
public record BatcherStats(
        long submitted,
        long answered,
        long failed,
        long timedOut,
        long cancelled,
        long failedOnClose,
        long rejected,
        long pending,
        long batches,
        long paddedRows,
        SortedMap<Integer, Long> batchSizes,
        Latency queueWait,
        Latency runTime) {

    public BatcherStats {
        batchSizes = Collections.unmodifiableSortedMap(new TreeMap<>(batchSizes));
    }

    /** Mean rows per batch (padding included); 0 before the first batch. */
    public double meanBatchSize() {
        long rows = 0;
        long n = 0;
        for (var e : batchSizes.entrySet()) {
            rows += (long) e.getKey() * e.getValue();
            n += e.getValue();
        }
        return n == 0 ? 0 : (double) rows / n;
    }

    /**
     * Percentiles of a duration, each within about 3% of the exact value.
     *
     * @param count values recorded
     * @param p50 median
     * @param p99 99th percentile
     * @param max largest value
     */
    public record Latency(long count, Duration p50, Duration p99, Duration max) {}
}
