package io.jedge.runtime.batching;

/**
 * Completes every request of a batch whose {@link BatchFunction} threw, or returned outputs that
 * cannot be split back into requests. The cause is what the batch function threw.
 */
public final class BatchFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int batchRows;

    BatchFailedException(String message, int batchRows, Throwable cause) {
        super(message, cause);
        this.batchRows = batchRows;
    }

    /** Rows of the failed batch, padding included. */
    public int batchRows() {
        return batchRows;
    }
}
