package io.jedge.sdk;

import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.vision.ImageClassifier;

/**
 * A loaded bundle: the chosen variant running on a backend, behind a dynamic batcher. Owns every
 * native resource it opened; close it (try-with-resources). Thread-safe.
 *
 * <pre>{@code
 * try (JedgeModel model = Jedge.load(Path.of("vit.bundle"))) {
 *     ImageClassifier classifier = model.imageClassifier();
 *     System.out.println(classifier.classify(Path.of("cat.jpg"), 5));
 *     System.out.println(model.selection());
 * }
 * }</pre>
 */
public interface JedgeModel extends AutoCloseable {
    BundleManifest manifest();

    /** Raw tensors in, raw tensors out. */
    Predictor predictor();

    /** The image-classification task over {@link #predictor()}; the bundle must be a classifier. */
    default ImageClassifier imageClassifier() {
        return new ImageClassifier(predictor(), manifest());
    }

    /** Current choice of variant and why. */
    default Selection selection() {
        return predictor().selection();
    }

    /** Every selection made so far, oldest first (re-selections after power-mode changes included). */
    java.util.List<Selection> selectionHistory();

    /** Answers or fails every queued request, then releases the backend. Idempotent. */
    @Override
    void close();
}
