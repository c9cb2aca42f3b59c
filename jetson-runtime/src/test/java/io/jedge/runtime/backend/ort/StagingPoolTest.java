package io.jedge.runtime.backend.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StagingPoolTest {
    @Test
    void sizeClassIsTheNextPowerOfTwoWithinTheDirectBufferLimit() {
        assertEquals(64, StagingPool.sizeClass(1));
        assertEquals(64, StagingPool.sizeClass(64));
        assertEquals(128, StagingPool.sizeClass(65));
        assertEquals(1 << 20, StagingPool.sizeClass(1 << 20));
        assertEquals(StagingPool.MAX_BYTES, StagingPool.sizeClass((1L << 30) + 1));
    }

    @Test
    void aBufferIsLentToOneCallerAtATimeAndAtMostMaxIdleAreKept() {
        StagingPool pool = new StagingPool("test pool", 3);
        Set<ByteBuffer> lent = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 10; i++) {
            ByteBuffer b = pool.borrow(100);
            assertEquals(128, b.capacity());
            assertTrue(b.isDirect());
            assertTrue(lent.add(b), "borrow " + i + " got a buffer already lent");
        }
        assertEquals(10, pool.allocations());
        lent.forEach(pool::giveBack);
        assertEquals(3, pool.idleCount(), "ten given back, three kept");
        for (int i = 0; i < 3; i++) {
            assertTrue(lent.contains(pool.borrow(100)), "an idle buffer is reused");
        }
        assertEquals(10, pool.allocations());
        pool.borrow(100);
        assertEquals(11, pool.allocations(), "none idle: a new one");
    }

    @Test
    void whenFullTheLargestBuffersAreKeptAndServeSmallerRequests() {
        StagingPool pool = new StagingPool("test pool", 2);
        ByteBuffer small = pool.borrow(64);
        ByteBuffer mid = pool.borrow(128);
        ByteBuffer big = pool.borrow(1024);
        pool.giveBack(small);
        pool.giveBack(mid);
        pool.giveBack(big); // evicts the 64-byte one
        assertEquals(2, pool.idleCount());
        assertSame(big, pool.borrow(1000), "the smallest idle buffer that fits");
        assertSame(mid, pool.borrow(10), "a larger idle buffer serves a small request");
        assertEquals(0, pool.idleCount());
        assertEquals(3, pool.allocations());
        pool.giveBack(big);
        pool.giveBack(mid);
        pool.giveBack(small); // smaller than every kept one: dropped
        assertSame(mid, pool.borrow(64));
    }

    @Test
    void aClosedPoolRefusesBorrowsAndDropsWhatComesBack() {
        StagingPool pool = new StagingPool("heap-input staging of model.onnx", 4);
        ByteBuffer b = pool.borrow(100);
        pool.giveBack(pool.borrow(200));
        pool.close();
        pool.close();
        assertEquals(0, pool.idleCount());
        pool.giveBack(b);
        assertEquals(0, pool.idleCount(), "given back after the close: dropped");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.borrow(100));
        assertEquals("heap-input staging of model.onnx is closed", e.getMessage());
    }

    @Test
    void refusesWhatNoDirectBufferHoldsAndABadBound() {
        StagingPool pool = new StagingPool("p", 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.borrow(3L << 30));
        assertTrue(e.getMessage().contains("3221225472 bytes") && e.getMessage().contains("smaller batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new StagingPool("p", 0));
        assertEquals("maxIdle: 0, expected at least 1", e.getMessage());
    }

    @Test
    void concurrentBorrowersNeverShareABuffer() throws Exception {
        StagingPool pool = new StagingPool("test pool", 2);
        int threads = 12;
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int mark = t + 1;
                done.add(exec.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        int bytes = 64 << (i % 4);
                        ByteBuffer b = pool.borrow(bytes);
                        for (int j = 0; j < bytes; j += 4) {
                            b.putInt(j, mark);
                        }
                        Thread.yield(); // let others borrow while this one holds it
                        for (int j = 0; j < bytes; j += 4) {
                            assertEquals(mark, b.getInt(j), "a buffer written by another borrower at byte " + j);
                        }
                        pool.giveBack(b);
                    }
                    return mark;
                }));
            }
            for (Future<Integer> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            exec.shutdownNow();
        }
        assertTrue(pool.idleCount() <= 2, "idle: " + pool.idleCount());
    }
}
