package io.jedge.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class BatcherOptionsTest {

    private static void assertRefused(UnaryOperator<BatcherOptions.Builder> change, String... fragments) {
        BatcherOptions.Builder b = change.apply(BatcherOptions.builder().name("vit"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    @Test
    void defaults() {
        BatcherOptions o = BatcherOptions.builder().build();
        assertEquals("batcher", o.name());
        assertEquals(8, o.maxBatch());
        assertEquals(Duration.ofMillis(2), o.maxDelay());
        assertEquals(1024, o.queueCapacity());
        assertEquals(1, o.workers());
        assertArrayEquals(new int[0], o.preferredBatchSizes());
        assertEquals(PreferredSizePolicy.SPLIT, o.preferredSizePolicy());
        assertEquals(FullQueuePolicy.BLOCK, o.whenFull());
        assertEquals(Duration.ofSeconds(1), o.blockTimeout());
        assertEquals(Optional.empty(), o.defaultTimeout());
        assertEquals(ClosePolicy.DRAIN, o.onClose());
    }

    @Test
    void preferredSizesAreSortedAndCopied() {
        int[] sizes = {8, 1, 4, 2};
        BatcherOptions o = BatcherOptions.builder().preferredBatchSizes(sizes).build();
        sizes[0] = 3;
        assertArrayEquals(new int[] {1, 2, 4, 8}, o.preferredBatchSizes());
        o.preferredBatchSizes()[0] = 5;
        assertArrayEquals(new int[] {1, 2, 4, 8}, o.preferredBatchSizes());
    }

    @Test
    void toBuilderKeepsEverySetting() {
        BatcherOptions o = BatcherOptions.builder().name("x").maxBatch(16).maxDelay(Duration.ofMillis(5)).queueCapacity(7)
                .workers(3).preferredBatchSizes(4, 16).preferredSizePolicy(PreferredSizePolicy.PAD)
                .whenFull(FullQueuePolicy.REJECT).blockTimeout(Duration.ofMillis(9)).defaultTimeout(Duration.ofSeconds(2))
                .onClose(ClosePolicy.FAIL).build();
        assertEquals(o.toString(), o.toBuilder().build().toString());
    }

    @Test
    void outOfRangeSettingsAreRefusedByName() {
        assertRefused(b -> b.name(" "), "batcher name", "found ' '");
        assertRefused(b -> b.whenFull(null), "whenFull of batcher 'vit': found null, expected a policy");
        assertRefused(b -> b.maxBatch(0), "maxBatch of batcher 'vit'", "found 0", "expected >= 1");
        assertRefused(b -> b.maxDelay(Duration.ofMillis(-1)), "maxDelay", "found PT-0.001S", "expected a duration >= 0");
        assertRefused(b -> b.maxDelay(null), "maxDelay", "found null");
        assertRefused(b -> b.maxDelay(Duration.ofSeconds(Long.MAX_VALUE)), "maxDelay", "expected at most");
        assertRefused(b -> b.queueCapacity(0), "queueCapacity", "found 0", "expected >= 1");
        assertRefused(b -> b.workers(0), "workers", "found 0", "expected >= 1");
        assertRefused(b -> b.blockTimeout(Duration.ofSeconds(-1)), "blockTimeout", "found PT-1S");
        assertRefused(b -> b.defaultTimeout(Duration.ZERO), "defaultTimeout", "found PT0S", "expected a positive duration");
        assertRefused(b -> b.maxBatch(8).preferredBatchSizes(1, 16), "preferredBatchSizes", "found 16", "expected sizes in 1..8");
        assertRefused(b -> b.preferredBatchSizes(0, 4), "found 0");
        assertRefused(b -> b.preferredBatchSizes(2, 2), "found 2 twice");
        assertRefused(b -> b.maxBatch(8).preferredBatchSizes(1, 2, 4).preferredSizePolicy(PreferredSizePolicy.PAD),
                "expected them to include maxBatch 8 under policy PAD");
        assertRefused(b -> b.preferredBatchSizes((int[]) null), "preferredBatchSizes", "found null");
    }

    @Test
    void zeroDelayAndSplitWithoutMaxBatchAreFine() {
        BatcherOptions o = BatcherOptions.builder().maxDelay(Duration.ZERO).maxBatch(8).preferredBatchSizes(1, 2, 4).build();
        assertEquals(Duration.ZERO, o.maxDelay());
        assertArrayEquals(new int[] {1, 2, 4}, o.preferredBatchSizes());
    }
}
