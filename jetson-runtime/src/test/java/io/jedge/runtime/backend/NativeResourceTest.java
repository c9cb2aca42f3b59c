package io.jedge.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NativeResourceTest {
    static final class Counted extends NativeResource {
        final AtomicInteger frees = new AtomicInteger();
        volatile boolean freed;

        @Override
        protected String describe() {
            return "test handle";
        }

        @Override
        protected void freeNative() {
            frees.incrementAndGet();
            freed = true;
        }

        int use(CountDownLatch started, CountDownLatch go) throws InterruptedException {
            acquire();
            try {
                started.countDown();
                go.await();
                return freed ? -1 : 1; // the handle must still be alive here
            } finally {
                release();
            }
        }
    }

    @Test
    void closeIsIdempotentAndFreesOnce() {
        Counted c = new Counted();
        c.close();
        c.close();
        assertEquals(1, c.frees.get());
        assertTrue(c.isClosed());
    }

    @Test
    void useAfterCloseFailsNamingTheObject() {
        Counted c = new Counted();
        c.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, c::acquire);
        assertEquals("test handle is closed", e.getMessage());
        assertFalse(c.tryAcquire());
    }

    @Test
    void closeUnderLoadLetsInFlightCallsFinishThenFrees() throws Exception {
        Counted c = new Counted();
        int calls = 8;
        CountDownLatch started = new CountDownLatch(calls);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(calls);
        try {
            Future<?>[] fs = new Future<?>[calls];
            for (int i = 0; i < calls; i++) {
                fs[i] = pool.submit(() -> c.use(started, go));
            }
            assertTrue(started.await(10, TimeUnit.SECONDS));
            c.close(); // returns at once although eight calls are in flight
            assertEquals(0, c.frees.get());
            assertThrows(IllegalStateException.class, c::acquire);
            go.countDown();
            for (Future<?> f : fs) {
                assertEquals(1, f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, c.frees.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void releaseWithoutAcquireIsReported() {
        Counted c = new Counted();
        assertThrows(IllegalStateException.class, c::release);
    }
}
