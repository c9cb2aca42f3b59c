package io.jedge.runtime.backend.trt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EngineLayersTest {
    @Test
    void detailedInformationCountsKernelsByTypeMovementAndFusedAttention() {
        String json = """
                {"Layers": [
                  {"Name": "/blocks.0/norm1/LayerNormalization", "LayerType": "Myelin", "TacticName": "__myl_LayerNorm"},
                  {"Name": "/blocks.0/attn/qkv/MatMul", "LayerType": "CaskGemmMatrixMultiply", "TacticName": "sm90_xmma_gemm_f16f16"},
                  {"Name": "Reformatting CopyNode for Input Tensor 0", "LayerType": "Reformat", "TacticName": "0x0"},
                  {"Name": "{ForeignNode[/blocks.0/attn/MatMul.../MatMul_1]}", "LayerType": "Myelin",
                   "TacticName": "_gemm_mha_v2_0x1a2b"},
                  {"Name": "/blocks.0/attn/Transpose", "LayerType": "Shuffle", "TacticName": "0x0"}
                ],
                "Bindings": ["input", "logits"]}""";
        EngineLayers l = EngineLayers.parse(json);
        assertEquals(5, l.layers());
        assertTrue(l.detailed());
        assertEquals(2, l.byType().get("Myelin"));
        assertEquals(2, l.dataMovement(), "the reformat and the shuffle");
        assertEquals(List.of("{ForeignNode[/blocks.0/attn/MatMul.../MatMul_1]}"), l.fusedAttention());
        assertEquals(5, l.summary().get("engine_layers"));
    }

    @Test
    void namesOnlyInformationStillCountsLayersAndSaysKernelsAreMissing() {
        EngineLayers l = EngineLayers.parse("{\"Layers\": [\"a\", \"Reformatting CopyNode for Output\", \"c\"], \"Bindings\": []}");
        assertEquals(3, l.layers());
        assertFalse(l.detailed());
        assertEquals(1, l.dataMovement());
        assertTrue(l.toString().contains("build with detailed layers"), l.toString());
    }

    @Test
    void textThatIsNotEngineInformationIsRefusedWithWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EngineLayers.parse("{\"Bindings\": []}")).getMessage()
                .contains("\"Layers\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EngineLayers.parse("{not json")).getMessage()
                .contains("not JSON"));
    }
}
