package io.jedge.runtime.backend.trt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Layer entries as TensorRT 10.6 writes them, copied from the engines of
 * benchmarks/elfatt-layers-tensorrt-h200-2026-12-03.md (raw/gpu-2026-12-03-s7: run2 vit197-elf detailed, run3 hier-van
 * names only), tactic hashes shortened.
 */
class EngineLayersTest {
    private static final String DETAILED = """
            {"Layers": [
              {"Name": "pixels/Cast_fp16", "LayerType": "Reformat", "TacticName": null},
              {"Name": "patch_embed/Conv", "LayerType": "CaskConvolution", "TacticName": "sm80_xmma_fprop_implicit_gemm_indexed_f16f16"},
              {"Name": "dummy_shape_call__mye332267_0_myl3_0", "LayerType": "shape_call", "TacticName": ""},
              {"Name": "__myl_SliResTraSliMaxSubExpSumDivMulMulAddRes_myl3_17", "LayerType": "kgen",
               "TacticName": "__myl_SliResTraSliMaxSubExpSumDivMulMulAddRes_0xdd79"},
              {"Name": "__myl_SliResTraRes_myl3_4", "LayerType": "kgen", "TacticName": "__myl_SliResTraRes_0xf7e5"},
              {"Name": "__myl_SliResTraRes_myl3_5", "LayerType": "kgen", "TacticName": "__myl_SliResTraRes_0x2c64"},
              {"Name": "_gemm_mha_v2_myl3_6", "LayerType": "kgen", "TacticName": "_gemm_mha_v2_0xf94d"},
              {"Name": "blocks_0_attn/MatMul_myl3_2", "LayerType": "gemm", "TacticName": "sm80_xmma_gemm_f16f16_f16f16_f16_tn_n"}
            ],
            "Bindings": ["pixels", "logits"]}""";

    @Test
    void detailedInformationCountsKernelsMovementAndFusedAttention() {
        EngineLayers l = EngineLayers.parse(DETAILED);
        assertEquals(8, l.layers());
        assertTrue(l.detailed());
        assertEquals(7, l.kernels(), "the host-side shape call launches no kernel");
        assertEquals(3, l.dataMovement(), "the cast reformat and the two slice/reshape/transpose kernels, not the softmax one");
        assertEquals(List.of("_gemm_mha_v2_myl3_6"), l.fusedAttention());
        assertEquals(List.of("CaskConvolution", "Reformat", "gemm", "kgen", "shape_call"), List.copyOf(l.byType().keySet()),
                "sorted, so runs can be diffed");
        assertEquals(4, l.byType().get("kgen"));
        Map<String, Object> s = l.summary();
        assertEquals(7, s.get("kernels"));
        assertEquals(1, s.get("fused_attention_kernels"));
    }

    @Test
    void namesOnlyInformationCountsLayersAndMeasuresNothingElse() {
        EngineLayers l = EngineLayers.parse("{\"Layers\": [\"pixels/Cast_fp16\", \"patch_embed/Conv\", \"Reformatting CopyNode for"
                + " Input Tensor 0 to {ForeignNode[patch_embed.norm.weight + ONNXTRT_Broadcast...logits/Cast_output]}\"],"
                + " \"Bindings\": [\"pixels\", \"logits\"]}");
        assertEquals(3, l.layers());
        assertFalse(l.detailed());
        assertEquals(Map.of("engine_layers", 3, "detailed", false), l.summary(), "no zero stands for a figure not measured");
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
