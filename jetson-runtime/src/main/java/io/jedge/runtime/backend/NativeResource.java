package io.jedge.runtime.backend;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one closing rule for every native owner (sessions, denoisers, a model's active variant), after
 * ONNX Runtime's {@code NativeObject}: {@link #close()} is idempotent; a call that {@link #acquire()}d
 * before the close finishes normally and the native handle is freed when the last such call
 * {@link #release()}s; a call that starts after the close fails at once with an
 * {@link IllegalStateException} naming the object. Nothing ever waits, so closing under load never hangs.
 *
 * <p>Typical use: {@code acquire(); try { ...use the handle... } finally { release(); }}. Subclasses
 * free their handle in {@link #freeNative()}, which runs exactly once.
 *
 * <p>Public only so the backend and model packages can extend it; it is not part of the app API.
 */
public abstract class NativeResource implements AutoCloseable {
    // Sign bit: closed. Low bits: calls in flight. Freed exactly once, on the transition to "closed, none in flight".
    private static final int CLOSED = Integer.MIN_VALUE;
    private final AtomicInteger state = new AtomicInteger();

    protected NativeResource() {
    }

    /** What to call this object in messages, e.g. "ONNX Runtime session for model.onnx". */
    protected abstract String describe();

    /** Frees the native handle; called once, after {@link #close()} and the last in-flight call. */
    protected abstract void freeNative();

    /** Marks one call in flight, or returns false when already closed. */
    protected final boolean tryAcquire() {
        while (true) {
            int s = state.get();
            if (s < 0) {
                return false;
            }
            if (s == Integer.MAX_VALUE) {
                throw new IllegalStateException(describe() + ": too many calls in flight");
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /** Marks one call in flight; pair with {@link #release()} in a {@code finally}. */
    protected final void acquire() {
        if (!tryAcquire()) {
            throw new IllegalStateException(describe() + " is closed");
        }
    }

    /** Ends a call begun with {@link #acquire()}; frees the handle when it was the last one after a close. */
    protected final void release() {
        int s = state.decrementAndGet();
        if (s == CLOSED) {
            freeNative();
        } else if (s == -1 || s == Integer.MAX_VALUE) {
            throw new IllegalStateException(describe() + ": release() without acquire()");
        }
    }

    /** Whether {@link #close()} has been called (in-flight calls may still be finishing). */
    public final boolean isClosed() {
        return state.get() < 0;
    }

    /** Closes now if idle, else when the last in-flight call returns. Idempotent; never blocks. */
    @Override
    public final void close() {
        while (true) {
            int s = state.get();
            if (s < 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) {
                    freeNative();
                }
                return;
            }
        }
    }
}
