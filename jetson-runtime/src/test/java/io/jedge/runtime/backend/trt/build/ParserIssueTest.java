package io.jedge.runtime.backend.trt.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParserIssueTest {
    @Test
    void describesNodeIndexNameOperatorReasonAndCode() {
        ParserIssue i = new ParserIssue(812, "/blocks.0/attn/Attention", "Attention", "kUNSUPPORTED_NODE",
                "Cannot find plugin: Attention,\n version: 1");
        assertEquals("node 812 '/blocks.0/attn/Attention' (Attention): Cannot find plugin: Attention, version: 1 "
                + "[kUNSUPPORTED_NODE]", i.describe());
        assertEquals("model file is invalid [kINVALID_GRAPH]",
                new ParserIssue(-1, "", "", "kINVALID_GRAPH", "model file is invalid").describe());
    }

    @Test
    void messageListsAtMostFiveAndHintsAtLowering() {
        List<ParserIssue> many = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            many.add(new ParserIssue(i, "n" + i, "Attention", "kUNSUPPORTED_NODE", "Cannot find plugin: Attention"));
        }
        String m = ParserIssue.message("vit.onnx", many);
        assertTrue(m.startsWith("TensorRT's ONNX parser rejected vit.onnx: node 0 'n0' (Attention)"), m);
        assertTrue(m.contains("node 4 'n4'") && !m.contains("node 5 'n5'") && m.contains("and 2 more"), m);
        assertTrue(m.contains("Lower ops newer than the parser"), m);
        String none = ParserIssue.message("x.onnx", List.of());
        assertTrue(none.contains("without saying why"), none);
        String other = ParserIssue.message("x.onnx", List.of(new ParserIssue(3, "c", "Conv", "kINVALID_NODE", "bad weights")));
        assertEquals("TensorRT's ONNX parser rejected x.onnx: node 3 'c' (Conv): bad weights [kINVALID_NODE]", other);
    }
}
