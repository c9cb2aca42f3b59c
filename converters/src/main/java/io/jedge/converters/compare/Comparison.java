package io.jedge.converters.compare;

import java.util.List;

/**
 * Outputs of two runs of a model compared, and, for layer-wise runs, every shared intermediate
 * tensor in topological order with the first where the two part.
 *
 * @param firstDivergence the first tensor (in A's order) whose cosine falls below the threshold; null if none
 */
public record Comparison(String a, String b, int samples, Layer output, Double top1Agreement, List<Layer> layers,
        Layer firstDivergence) {

    /** How far one tensor of B is from the same tensor of A. */
    public record Layer(String tensor, String producer, Metrics metrics) {
    }

    public String text() {
        StringBuilder s = new StringBuilder();
        s.append(String.format("A: %s%nB: %s%n%d input(s)%n", a, b, samples));
        Metrics o = output.metrics();
        s.append(String.format("output %s: cosine %.6f  max abs %.4g  max rel %.4g  rel L2 %.4g%n", output.tensor(), o.cosine(),
                o.maxAbsError(), o.maxRelError(), o.relativeL2()));
        if (top1Agreement != null) {
            s.append(String.format("top-1 agreement %.4f%n", top1Agreement));
        }
        if (!layers.isEmpty()) {
            s.append(layers.size()).append(" shared intermediate tensors compared\n");
            if (firstDivergence == null) {
                s.append("no layer parts from A\n");
            } else {
                s.append(String.format("first divergence: %s (from %s): cosine %.6f, rel L2 %.4g%n", firstDivergence.tensor(),
                        firstDivergence.producer(), firstDivergence.metrics().cosine(), firstDivergence.metrics().relativeL2()));
                int i = layers.indexOf(firstDivergence);
                for (int k = Math.max(0, i - 3); k < Math.min(layers.size(), i + 4); k++) {
                    Layer d = layers.get(k);
                    s.append(String.format("  %s %-40s %-22s cos %.6f relL2 %.3g%n", k == i ? ">" : " ", d.tensor(), d.producer(),
                            d.metrics().cosine(), d.metrics().relativeL2()));
                }
            }
        }
        return s.toString();
    }
}
