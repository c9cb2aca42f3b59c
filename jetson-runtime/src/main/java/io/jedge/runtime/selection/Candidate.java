package io.jedge.runtime.selection;

import io.jedge.sdk.bundle.Variant;

/** A variant considered by the selection, with the backend that would run it and its verdict. */
public record Candidate(Variant variant, String backend, double score, int batch, String source, String reason,
        boolean admissible) {
}
