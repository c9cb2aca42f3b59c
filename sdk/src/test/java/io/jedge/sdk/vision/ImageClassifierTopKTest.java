package io.jedge.sdk.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageClassifierTopKTest {
    @Test
    void namesTheTopClassesWithTheirLabels() {
        List<Classification> top = ImageClassifier.topK(new float[] {0, 3, 1}, 2, List.of("cat", "dog", "fox"));
        assertEquals("dog", top.get(0).label());
        assertEquals(1, top.get(0).index());
        assertEquals("fox", top.get(1).label());
        assertEquals("class 2", ImageClassifier.topK(new float[] {0, 1, 3}, 1, List.of()).get(0).label());
    }

    @Test
    void refusesLabelsThatDoNotNameEveryClass() {
        // a 32-class model whose export left the class dim symbolic, bundled with 5 labels: it printed
        // "class 26" beside "lbl4" (found with hf_dinov2_legacy, benchmarks/walkthrough-classify-cpu-2026-12-03.md)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageClassifier.topK(new float[32], 5, List.of("a", "b", "c", "d", "e")));
        assertEquals("the bundle has 5 labels, but the model's output has 32 classes (one label per class, in class order);"
                + " convert it again with --labels of 32 lines", e.getMessage());
    }
}
