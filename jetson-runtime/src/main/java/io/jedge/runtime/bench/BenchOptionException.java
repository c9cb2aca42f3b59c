package io.jedge.runtime.bench;

/**
 * A benchmark option out of range, naming the record component or parameter it was given as
 * ({@code batches}, {@code seconds}, {@code maxBatch}, ...), so that a front end can name its own flag
 * instead ({@link #renamed}): {@code jedge bench} turns "batches: 0, expected 1 to 4096" into
 * "--batch 0, expected 1 to 4096".
 */
public final class BenchOptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String parameter;
    private final String value;
    private final String expected;

    /**
     * @param parameter the record component or parameter, as the Javadoc names it
     * @param value     the value found, as text
     * @param expected  what would do, e.g. "1 to 4096"
     */
    BenchOptionException(String parameter, Object value, String expected) {
        super(parameter + ": " + value + ", expected " + expected);
        this.parameter = parameter;
        this.value = String.valueOf(value);
        this.expected = expected;
    }

    /** The record component or parameter the bad value was given as. */
    public String parameter() {
        return parameter;
    }

    /** The same error with {@code subject} (a flag such as "--batch") in place of the parameter's name; this is its cause. */
    public IllegalArgumentException renamed(String subject) {
        return new IllegalArgumentException(subject + " " + value + ", expected " + expected, this);
    }
}
