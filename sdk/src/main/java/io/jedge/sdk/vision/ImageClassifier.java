package io.jedge.sdk.vision;

import io.jedge.sdk.Predictor;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Task;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Image classification over a {@link Predictor}: decode, resize and normalise as the bundle says,
 * run, softmax, top-k with labels. Thread-safe; concurrent calls are batched by the predictor.
 */
public final class ImageClassifier {
    private final Predictor predictor;
    private final ImagePreprocessor pre;
    private final String input;
    private final String output;
    private final List<String> labels;

    public ImageClassifier(Predictor predictor, BundleManifest m) {
        if (m.task() != Task.IMAGE_CLASSIFICATION) {
            throw new IllegalArgumentException("bundle '" + m.name() + "' is a " + m.task().id()
                    + " bundle, not image-classification");
        }
        this.predictor = predictor;
        this.pre = new ImagePreprocessor(m.preprocessing());
        this.input = m.inputs().get(0).name();
        this.output = m.outputs().get(0).name();
        this.labels = m.labels();
    }

    public List<Classification> classify(Path image, int k) {
        return classify(ImagePreprocessor.read(image), k);
    }

    public List<Classification> classify(BufferedImage image, int k) {
        return topK(predictor.run(Map.of(input, pre.toTensor(image))), k);
    }

    public CompletableFuture<List<Classification>> classifyAsync(BufferedImage image, int k) {
        return predictor.runAsync(Map.of(input, pre.toTensor(image))).thenApply(out -> topK(out, k));
    }

    private List<Classification> topK(Map<String, Tensor> out, int k) {
        return topK(out.get(output).floats(), k, labels);
    }

    /**
     * Softmax over {@code logits}, then the {@code k} most probable classes. {@code labels} is empty
     * or names every class: a count that differs (a bundle whose class count was dynamic when
     * convert checked its labels) would name the wrong class in every answer, so it is refused.
     */
    public static List<Classification> topK(float[] logits, int k, List<String> labels) {
        if (k < 1) {
            throw new IllegalArgumentException("top-k: k = " + k + ", expected at least 1");
        }
        if (!labels.isEmpty() && labels.size() != logits.length) {
            throw new IllegalArgumentException("the bundle has " + labels.size() + " labels, but the model's output has "
                    + logits.length + " classes (one label per class, in class order); convert it again with --labels of "
                    + logits.length + " lines");
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        Integer[] idx = new Integer[logits.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(logits[b], logits[a]));
        List<Classification> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, idx.length); i++) {
            int c = idx[i];
            out.add(new Classification(c, c < labels.size() ? labels.get(c) : "class " + c, (float) (e[c] / sum)));
        }
        return out;
    }
}
