package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.LowerAttentionOp;
import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.onnx.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DenoiserFormsTest {
    @TempDir
    Path tmp;

    @Test
    void writesOneTensorRtReadyFp16GraphPerFormWithEveryBlockRewritten() throws Exception {
        Path dit = tmp.resolve("dit.onnx");
        DitBuilder.build(DitConfig.preset("tiny").withLatentSize(16).withClasses(10), new SeededWeights(11)).save(dit);
        List<String> lines = new ArrayList<>();
        List<Path> files = DenoiserForms.write(dit, tmp.resolve("forms"), List.of("keep", "elfatt-sd", "tome", "elfatt-sd+tome"), 0.5,
                List.of(), lines::add);
        assertEquals(List.of("fp16-vanilla.onnx", "fp16-elfatt-sd.onnx", "fp16-tome.onnx", "fp16-elfatt-sd+tome.onnx"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(4, lines.size(), lines.toString());
        Map<String, Integer> nodes = new java.util.HashMap<>();
        for (Path f : files) {
            assertTrue(Files.size(f) > 0, f.toString());
            OnnxModel m = OnnxModel.load(f);
            assertTrue(LowerAttentionOp.contribOps(m.graph()).isEmpty(), f + " keeps ONNX Runtime-only ops");
            Map<String, Long> ops = m.graph().nodes().stream().collect(Collectors.groupingBy(n -> n.opType(), Collectors.counting()));
            assertTrue(ops.getOrDefault("Cast", 0L) > 0, f + " is not an FP16 graph (no Cast at its FP32 edges): " + ops);
            nodes.put(f.getFileName().toString(), m.graph().nodes().size());
        }
        // every rewrite adds nodes to both of the tiny DiT's blocks; ToMe's gather/scatter too
        assertTrue(nodes.get("fp16-elfatt-sd.onnx") > nodes.get("fp16-vanilla.onnx"), nodes.toString());
        assertTrue(nodes.get("fp16-tome.onnx") > nodes.get("fp16-vanilla.onnx"), nodes.toString());
        assertTrue(nodes.get("fp16-elfatt-sd+tome.onnx") > nodes.get("fp16-tome.onnx"), nodes.toString());
    }

    @Test
    void layersLimitTheRewriteToThoseBlocks() throws Exception {
        Path dit = tmp.resolve("dit.onnx");
        DitBuilder.build(DitConfig.preset("tiny").withLatentSize(16).withClasses(10), new SeededWeights(11)).save(dit);
        int all = OnnxModel.load(DenoiserForms.write(dit, tmp.resolve("all"), List.of("elfatt-sd"), 0.5, List.of(), l -> { }).get(0))
                .graph().nodes().size();
        int one = OnnxModel.load(DenoiserForms.write(dit, tmp.resolve("one"), List.of("elfatt-sd"), 0.5, List.of(1), l -> { }).get(0))
                .graph().nodes().size();
        int none = OnnxModel.load(DenoiserForms.write(dit, tmp.resolve("van"), List.of("keep"), 0.5, List.of(), l -> { }).get(0))
                .graph().nodes().size();
        assertTrue(none < one && one < all, "vanilla " + none + " < one block " + one + " < both blocks " + all);
    }

    @Test
    void anUnknownFormIsRefusedBeforeAnyWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DenoiserForms.write(tmp.resolve("missing.onnx"), tmp.resolve("forms"), List.of("keep", "window"), 0.5, List.of(), l -> { }));
        assertTrue(e.getMessage().startsWith("form 'window': expected keep, elfatt-sd, tome, elfatt-sd+tome"), e.getMessage());
        assertTrue(Files.notExists(tmp.resolve("forms")));
    }
}
