package io.jedge.runtime.batching;

import java.util.concurrent.RejectedExecutionException;

/** Thrown by {@link DynamicBatcher#submit} when the request queue is full. */
public final class QueueFullException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    private final int capacity;

    QueueFullException(String message, int capacity) {
        super(message);
        this.capacity = capacity;
    }

    /** The queue capacity, in requests, of the batcher that refused the request. */
    public int capacity() {
        return capacity;
    }
}
