package io.jedge.runtime.selection;

import io.jedge.sdk.JedgeException;

/** No variant of a bundle is admissible here; the message lists each variant's reason. */
public class NoVariantException extends JedgeException {
    public NoVariantException(String message) {
        super(Code.NO_SUITABLE_VARIANT, message);
    }
}
