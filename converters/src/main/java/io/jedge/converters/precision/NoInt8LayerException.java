package io.jedge.converters.precision;

import io.jedge.sdk.JedgeException;

/**
 * An INT8 variant would have no layer left INT8 (the plan quantizes none, or the validation loop kept every one float
 * to hold the floor): it would only be the FP32 model under another name, so it is not written. Converters leave the
 * variant out, its FP32 variant standing in, with {@link #reason()} recorded as {@code leftOut.int8} on that variant and
 * {@link #hint()} printed beside it; with no FP32 variant, the conversion fails with this message.
 */
public final class NoInt8LayerException extends JedgeException {
    private static final long serialVersionUID = 1L;
    private final String variant;
    private final String reason;
    private final String hint;

    public NoInt8LayerException(String variant, String reason, String hint) {
        super(Code.ACCURACY_TARGET_MISSED, "variant " + variant + " has no INT8 layer: " + reason + "; " + hint);
        this.variant = variant;
        this.reason = reason;
        this.hint = hint;
    }

    public String variant() {
        return variant;
    }

    /** Why no layer is INT8, with the figures: what the manifest records. */
    public String reason() {
        return reason;
    }

    /** What to do to get INT8 layers. */
    public String hint() {
        return hint;
    }
}
