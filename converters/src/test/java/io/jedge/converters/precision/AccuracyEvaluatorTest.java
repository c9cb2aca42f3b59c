package io.jedge.converters.precision;

import java.util.Set;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.converters.compare.SessionFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccuracyEvaluatorTest {
    private static final SessionOptions NO_OPT = SessionOptions.builder().optimization(SessionOptions.Optimization.NONE).build();
    @Test
    void aProbeTheCandidateLacksIsLeftOutNotFatal() {
        OnnxModel fp32 = Fp16ConverterTest.smallVit(32, 8);
        List<AccuracyEvaluator.LayerProbe> probes = Layers.weightedProbes(fp32);
        // the candidate computes the same, but one probed layer output got another name
        OnnxModel renamed = fp32.copy();
        Graph g = renamed.graph();
        String lost = probes.get(2).output();
        Node producer = g.producer(lost).orElseThrow();
        g.replaceUses(lost, lost + "_renamed", List.of());
        producer.outputs().replaceAll(o -> o.equals(lost) ? lost + "_renamed" : o);

        CalibrationSet in = CalibrationSet.seeded(Int8QuantizerTest.SMALL_INPUT, 2, 5);
        AccuracyEvaluation e = AccuracyEvaluator.evaluate(fp32, renamed, in, probes, true);

        assertEquals(1.0, e.overall().cosine(), 1e-6);
        List<String> reported = e.layers().stream().map(AccuracyEvaluation.LayerAccuracy::layer).toList();
        assertTrue(!reported.contains(probes.get(2).layer()), reported.toString());
        assertEquals(probes.size() - 1, reported.size(), reported.toString());
    }

    @Test
    void readingATensorNoNodeProducesNamesIt() {
        OnnxModel fp32 = Fp16ConverterTest.smallVit(32, 8);
        try (InferenceSession r = SessionFactory.open(fp32, "test model", NO_OPT)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.run(
                    CalibrationSet.seeded(Int8QuantizerTest.SMALL_INPUT, 1, 1).batch(0), Set.of("logits", "no_such_tensor")));
            assertTrue(e.getMessage().contains("[no_such_tensor]") && e.getMessage().contains("test model"), e.getMessage());
        }
    }
}
