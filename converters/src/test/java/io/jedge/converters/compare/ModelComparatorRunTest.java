package io.jedge.converters.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.Shapes;
import io.jedge.converters.onnx.TensorData;
import io.jedge.converters.precision.Fp16Converter;
import io.jedge.converters.precision.Fp16Options;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SeededInputs;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.sdk.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ModelComparator#run} on in-memory sessions of a tiny ViT (built here, no file). */
class ModelComparatorRunTest {
    private static final SessionOptions SO = SessionOptions.defaults();

    private static OnnxModel vit() {
        return VitBuilder.build(new VitConfig(32, 8, 32, 2, 2, 2, 10), new SeededWeights(1), new VanillaAttention());
    }

    private static List<Map<String, Tensor>> feeds(InferenceSession s, int n) {
        return SeededInputs.feeds(s.inputs(), n, 2, 10);
    }

    @Test
    void aModelAgainstItselfIsExactPerSampleAndOverall() {
        OnnxModel m = vit();
        try (InferenceSession a = SessionFactory.open(m, "a", SO); InferenceSession b = SessionFactory.open(m, "b", SO)) {
            String out = a.outputs().get(0).name();
            ModelComparator.Result r = ModelComparator.run(a, b, feeds(a, 3),
                    List.of(ModelComparator.Probe.of(out).withTop1(ModelComparator.Top1.IF_CLASSIFIER)));
            Metrics m0 = r.get(out);
            assertEquals(1.0, m0.cosine(), 1e-12);
            assertEquals(0.0, m0.maxAbsError());
            assertEquals(0.0, m0.relativeL2());
            assertEquals(3, m0.samples());
            assertEquals(6, m0.rows(), "two rows of [2, 10] logits per sample");
            assertEquals(1.0, m0.top1Agreement().getAsDouble());
            assertEquals(3, r.perSample().get(out).size());
        }
    }

    @Test
    void anFp16VariantIsCloseButNotExactAndAViewNarrowsWhatIsCompared() {
        OnnxModel fp32 = vit();
        OnnxModel fp16 = Fp16Converter.convert(fp32, Fp16Options.defaults()).model();
        try (InferenceSession a = SessionFactory.open(fp32, "fp32", SO); InferenceSession b = SessionFactory.open(fp16, "fp16", SO)) {
            String out = a.outputs().get(0).name();
            // the first logit of every row only
            ModelComparator.Probe first = new ModelComparator.Probe("first", List.of(out), List.of(out), ModelComparator.Top1.NONE,
                    false, t -> {
                        float[] v = new float[(int) t.dim(0)];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = t.floats()[i * (int) t.dim(1)];
                        }
                        return Tensor.ofFloats(new long[] {v.length}, v);
                    });
            ModelComparator.Result r = ModelComparator.run(a, b, feeds(a, 2), List.of(ModelComparator.Probe.of(out), first));
            Metrics all = r.get(out);
            assertTrue(all.cosine() > 0.99 && all.cosine() < 1, all.toString());
            assertTrue(all.maxAbsError() > 0 && all.meanAbsError() <= all.maxAbsError(), all.toString());
            assertTrue(all.sampleCosineMin() <= all.sampleCosineMean(), all.toString());
            assertEquals(40, all.elements());
            assertEquals(4, r.get("first").elements());
            assertFalse(all.top1Agreement().isPresent(), "no top-1 unless asked");
        }
    }

    @Test
    void aRequiredTensorMissingFailsWithItsNameAndAnOptionalOneIsLeftOut() {
        OnnxModel m = vit();
        try (InferenceSession a = SessionFactory.open(m, "a", SO); InferenceSession b = SessionFactory.open(m, "b", SO)) {
            String out = a.outputs().get(0).name();
            List<Map<String, Tensor>> f = feeds(a, 1);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ModelComparator.run(a, b, f, List.of(ModelComparator.Probe.of("l", out, "no_such_tensor"))));
            assertTrue(e.getMessage().contains("'no_such_tensor' is missing"), e.getMessage());
            ModelComparator.Result r = ModelComparator.run(a, b, f,
                    List.of(ModelComparator.Probe.of(out), ModelComparator.Probe.of("no_such_tensor").asOptional()));
            assertEquals(List.of(out), List.copyOf(r.metrics().keySet()));
        }
    }

    @Test
    void exposedIntermediatesAreComparedAndRuntimeTypesNameThem() {
        OnnxModel m = vit();
        Map<String, Shapes.TensorType> types = Shapes.runtimeTypes(m);
        String out = m.graph().outputs().get(0).getName();
        assertEquals(TensorData.FLOAT, types.get(out).elemType());
        assertEquals(10, types.get(out).dims()[1]);
        List<String> floats = m.graph().nodes().stream().map(n -> n.output(0))
                .filter(t -> types.get(t) != null && types.get(t).elemType() == TensorData.FLOAT).toList();
        assertTrue(m.graph().nodes().stream().allMatch(n -> types.containsKey(n.output(0))), "every node output is typed");
        String inner = floats.get(floats.size() / 2);
        OnnxModel exposed = m.withOutputs(List.of(inner, "no_such_tensor"));
        assertEquals(m.graph().outputs().size() + 1, exposed.graph().outputs().size(), "only produced tensors are exposed");
        // TensorRT's parser refuses an output without an element type: every exposed tensor carries one
        ai.onnx.proto.OnnxMl.ValueInfoProto added = exposed.graph().outputs().get(exposed.graph().outputs().size() - 1);
        assertEquals(inner, added.getName());
        assertEquals(TensorData.FLOAT, added.getType().getTensorType().getElemType(), added.toString());
        try (InferenceSession a = SessionFactory.open(exposed, "a", SO); InferenceSession b = SessionFactory.open(exposed, "b", SO)) {
            ModelComparator.Result r = ModelComparator.run(a, b, feeds(a, 1), List.of(ModelComparator.Probe.of(inner)));
            assertEquals(1.0, r.get(inner).cosine(), 1e-12);
        }
    }
}
