package io.jedge.sdk.diffusion;

/**
 * Lets another thread stop a running generation. The pipeline checks it before every step and
 * before decoding, and then throws {@link java.util.concurrent.CancellationException}. Thread-safe.
 */
public final class CancellationSignal {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
