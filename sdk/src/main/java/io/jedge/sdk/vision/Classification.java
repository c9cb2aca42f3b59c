package io.jedge.sdk.vision;

/** One class of a top-k answer: index, label and softmax probability. */
public record Classification(int index, String label, float probability) {
    @Override
    public String toString() {
        return String.format("%s (%d) %.4f", label, index, probability);
    }
}
