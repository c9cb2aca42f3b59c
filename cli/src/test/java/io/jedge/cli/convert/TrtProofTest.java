package io.jedge.cli.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The proof's arithmetic, which the GPU run's JSON is only as good as. */
class TrtProofTest {
    @Test
    void comparisonFigures() {
        Map<String, Object> same = TrtProof.compare(new float[] {1, 2, 3}, new float[] {1, 2, 3});
        assertEquals(1.0, (double) same.get("cosine"), 1e-12);
        assertEquals(0.0, (double) same.get("rel_l2"), 1e-12);
        Map<String, Object> off = TrtProof.compare(new float[] {1, 0}, new float[] {0, 1});
        assertEquals(0.0, (double) off.get("cosine"), 1e-12);
        assertEquals(Math.sqrt(2), (double) off.get("rel_l2"), 1e-12);
        assertEquals(1.0, (double) off.get("max_abs"), 1e-12);

        Map<String, Object> rows = TrtProof.compareRows(new float[] {0, 1, 1, 0}, new float[] {0, 1}, 2);
        assertEquals("1/2", rows.get("top1_agree"));
        assertEquals(0.0, (double) rows.get("min_cosine"), 1e-12);
    }

    @Test
    void percentiles() {
        double[] v = {5, 1, 4, 2, 3};
        assertEquals(3, TrtProof.percentile(v, 50));
        assertEquals(5, TrtProof.percentile(v, 95));
        assertEquals(1, TrtProof.percentile(v, 1));
    }

    @Test
    void inputsTileTheSampleAndFillTheRest() {
        List<TensorSpec> specs = List.of(new TensorSpec("pixels", "float32", List.of(-1L, 2L)),
                new TensorSpec("ids", "int64", List.of(-1L, 3L)), new TensorSpec("noise", "float16", List.of(-1L, 2L)));
        Map<String, Tensor> in = TrtProof.inputs(specs, "pixels", new float[] {7, 8}, 3);
        assertArrayEquals(new long[] {3, 2}, in.get("pixels").shape());
        assertArrayEquals(new float[] {7, 8, 7, 8, 7, 8}, in.get("pixels").floats());
        assertArrayEquals(new long[] {3, 3}, in.get("ids").shape());
        assertEquals(6, in.get("noise").floats().length);
        assertThrows(IllegalArgumentException.class, () -> TrtProof.inputs(
                List.of(new TensorSpec("x", "float32", List.of(-1L, -1L))), "x", null, 1));
    }

    @Test
    void directFeedsAreDirectCopiesOfTheHeapOnes() {
        Map<String, Tensor> heap = TrtProof.inputs(List.of(new TensorSpec("pixels", "float32", List.of(-1L, 2L)),
                new TensorSpec("ids", "int64", List.of(-1L, 3L))), "pixels", new float[] {7, 8}, 2);
        assertTrue(TrtProof.in("heap", heap) == heap);
        Map<String, Tensor> direct = TrtProof.in("direct", heap);
        assertEquals(heap.keySet(), direct.keySet());
        assertTrue(direct.get("pixels").isDirect() && direct.get("ids").isDirect());
        assertArrayEquals(heap.get("pixels").floats(), direct.get("pixels").toFloatArray());
        long[] ids = new long[6];
        direct.get("ids").buffer().asLongBuffer().get(ids);
        assertArrayEquals(heap.get("ids").longs(), ids);
    }

    @Test
    void argumentsAreCheckedBeforeAnyEngineIsBuilt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path model = dir.resolve("model.onnx");
        java.nio.file.Files.writeString(model, "");
        TrtProof.Args a = TrtProof.Args.parse(dir, "FP32,fp16:/Some/Path/X.onnx", "16,1", Map.of("runs", "5"));
        assertEquals(List.of(new TrtProof.Args.Item("fp32", model), new TrtProof.Args.Item("fp16", java.nio.file.Path.of("/Some/Path/X.onnx"))),
                a.items(), "the precision is case-blind, the file keeps its case");
        assertArrayEquals(new int[] {1, 16}, a.batches());
        assertEquals(5, a.runs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrtProof.Args.parse(dir, "fp8", "1", Map.of()));
        assertTrue(e.getMessage().contains("'fp8'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrtProof.Args.parse(dir, "fp32", "1", Map.of("runs", "0")));
        assertTrue(e.getMessage().contains("runs '0'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrtProof.Args.parse(dir, "fp32", "1,x", Map.of()));
        assertTrue(e.getMessage().contains("BATCHES 'x'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrtProof.Args.parse(dir, "fp32", "1", Map.of("detail", "true")));
        assertTrue(e.getMessage().contains("unknown key 'detail'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrtProof.Args.parse(dir, "fp32", "1", Map.of("detailed", "yes")));
        assertTrue(e.getMessage().contains("detailed 'yes', expected true or false"), e.getMessage());
        assertTrue(TrtProof.Args.parse(dir, "fp32", "1", Map.of("detailed", "TRUE")).build().detailedLayers());
        e = assertThrows(IllegalArgumentException.class, () -> TrtProof.Args.parse(dir, "fp32", "1", Map.of("graphs", "yes")));
        assertTrue(e.getMessage().contains("graphs 'yes', expected off, on or both"), e.getMessage());
        assertTrue(TrtProof.Args.parse(dir, "fp32", "1", Map.of("graphs", "on")).session().cudaGraphs());
        assertTrue(TrtProof.Args.parse(dir, "fp32", "1", Map.of("graphs", "both")).graphsToo());
        e = assertThrows(IllegalArgumentException.class, () -> TrtProof.Args.parse(dir, "fp32", "1,128", Map.of("graphs", "both")));
        assertTrue(e.getMessage().contains("needs one batch"), e.getMessage());
        assertEquals(List.of(new TrtProof.Args.Item("fp16io", model)), TrtProof.Args.parse(dir, "fp16io", "1", Map.of()).items(),
                "fp16io converts the FP32 model itself");
        assertEquals(List.of("heap", "direct"), TrtProof.Args.ios(Map.of("io", "Both")));
        assertEquals(List.of("heap"), TrtProof.Args.ios(Map.of()));
        e = assertThrows(IllegalArgumentException.class, () -> TrtProof.Args.parse(dir, "fp32", "1", Map.of("io", "pinned")));
        assertEquals("io 'pinned', expected heap, direct or both", e.getMessage());
        assertEquals("detailed", TrtProof.Args.parse(dir, "fp32", "1", Map.of("detailed", "true")).build().asFingerprintOptions()
                .get("profilingVerbosity"), "a detailed plan is a different plan: the fingerprint says so");
    }

    @Test
    void withoutTensorRtTheProofSaysWhyAndBuildsNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.jedge.runtime.backend.trt.build.TrtEngineBuilder.unavailableReason().isPresent(),
                "TensorRT is present here");
        java.nio.file.Path engines = dir.resolve("engines");
        TrtProof.Args a = TrtProof.Args.parse(dir, "fp32", "1", Map.of("engines", engines.toString()));
        Map<String, Object> r = TrtProof.run(a, "fp32", "1");
        assertTrue(r.get("error") instanceof String s && !s.isBlank(), r.toString());
        assertTrue(!r.containsKey("engines") && !java.nio.file.Files.exists(engines), r.toString());
    }
}
