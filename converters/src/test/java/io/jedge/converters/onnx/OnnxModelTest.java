package io.jedge.converters.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Fixtures;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OnnxModelTest {
    @TempDir
    Path tmp;

    static float[] runOrt(Path model, Path fixture) {
        float[] input = Fixtures.readF32(fixture.resolve("input.f32"));
        try (InferenceSession s = new OrtBackend().open(model, SessionOptions.builder().threads(2).build())) {
            String in = s.inputs().get(0).name();
            Map<String, Tensor> out = s.run(Map.of(in, Tensor.ofFloats(new long[] {1, 3, 224, 224}, input)));
            return out.values().iterator().next().floats();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vit224_legacy_op17", "vit224_dynamo_op23", "swin224_dynamo_op18"})
    void fixtureRoundTripsAndStillMatchesTorch(String name) {
        Path dir = Fixtures.torchExport(name);
        OnnxModel m = OnnxModel.load(dir.resolve("model.onnx"));
        assertTrue(m.graph().nodes().size() > 10, "nodes read");
        Path out = tmp.resolve(name + ".onnx");
        m.save(out, false);
        OnnxModel again = OnnxModel.load(out);
        assertEquals(m.graph().nodes().size(), again.graph().nodes().size());
        assertEquals(m.graph().initializers().keySet(), again.graph().initializers().keySet());
        float[] expected = Fixtures.readF32(dir.resolve("torch_output.f32"));
        float diff = Fixtures.maxAbsDiff(expected, runOrt(out, dir));
        assertTrue(diff < 1e-4, name + ": max abs diff vs torch " + diff);
    }

    @Test
    void externalDataRoundTrip() throws Exception {
        Path dir = Fixtures.torchExport("vit224_legacy_op17");
        OnnxModel m = OnnxModel.load(dir.resolve("model.onnx"));
        Path ext = tmp.resolve("ext/model.onnx");
        m.save(ext, true);
        assertTrue(Files.size(ext.resolveSibling("model.onnx.data")) > 4_000_000, "weights went to the data file");
        assertTrue(Files.size(ext) < 200_000, "model file holds no big weights");
        OnnxModel back = OnnxModel.load(ext);
        long external = back.graph().initializers().values().stream().filter(TensorData::isExternal).count();
        assertTrue(external > 10, "tensors are external: " + external);
        float[] expected = Fixtures.readF32(dir.resolve("torch_output.f32"));
        assertTrue(Fixtures.maxAbsDiff(expected, runOrt(ext, dir)) < 1e-4);
        // re-save inline from an external-data model
        Path inline = tmp.resolve("inline.onnx");
        back.save(inline, false);
        assertTrue(Fixtures.maxAbsDiff(expected, runOrt(inline, dir)) < 1e-4);
    }

    @Test
    void notAModelGivesClearMessage() throws Exception {
        Path bad = tmp.resolve("bad.onnx");
        Files.writeString(bad, "hello, not protobuf");
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(bad));
        assertTrue(e.getMessage().contains("bad.onnx"), e.getMessage());
        OnnxFormatException missing = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(tmp.resolve("nope.onnx")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void deadNodesAndTopologicalOrder() {
        Graph g = new Graph("g", null);
        g.inputs().add(Graph.tensorInfo("x", TensorData.FLOAT, new long[] {-1, 4}, "batch"));
        Node relu = g.addNode("Relu", "relu", java.util.List.of("x"), 1);
        Node dead = g.addNode("Neg", "neg", java.util.List.of("x"), 1);
        Node exp = g.addNode("Exp", "exp", java.util.List.of(relu.output(0)), 1);
        g.outputs().add(Graph.tensorInfo(exp.output(0), TensorData.FLOAT, new long[] {-1, 4}, "batch"));
        // put consumer first: sorting must fix it
        g.nodes().remove(exp);
        g.nodes().add(0, exp);
        g.topologicalSort();
        assertEquals("Relu", g.nodes().get(g.nodes().indexOf(relu)).opType());
        assertTrue(g.nodes().indexOf(relu) < g.nodes().indexOf(exp));
        assertEquals(1, g.removeDeadNodes());
        assertTrue(!g.nodes().contains(dead));
        assertTrue(!g.uniqueName("relu").equals("relu"), "names in use are not handed out again");
    }
}
