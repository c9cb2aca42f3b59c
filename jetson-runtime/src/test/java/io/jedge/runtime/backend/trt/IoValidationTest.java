package io.jedge.runtime.backend.trt;

import io.jedge.sdk.DataType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IoValidationTest {
    private static final IoTensor PIXELS = new IoTensor("pixels", true, DataType.FLOAT32, new long[] {-1, 3, 224, 224},
            new long[] {1, 3, 224, 224}, new long[] {32, 3, 224, 224});
    private static final IoTensor IDS = new IoTensor("ids", true, DataType.INT32, new long[] {-1, 4},
            new long[] {1, 4}, new long[] {32, 4});
    private static final List<IoTensor> INPUTS = List.of(PIXELS, IDS);

    private static Map<String, Tensor> feeds(long batch) {
        return Map.of("pixels", Tensor.zeros(batch, 3, 224, 224), "ids", Tensor.ofLongs(new long[] {batch, 4},
                new long[(int) batch * 4]));
    }

    private static String fail(Map<String, Tensor> feeds) {
        return assertThrows(IllegalArgumentException.class, () -> IoValidation.validateInputs("engine 'vit.plan'", INPUTS, feeds))
                .getMessage();
    }

    @Test
    void acceptsShapesWithinProfile() {
        IoValidation.validateInputs("e", INPUTS, feeds(1));
        IoValidation.validateInputs("e", INPUTS, feeds(32));
    }

    @Test
    void batchOutsideProfileNamesGotAndExpected() {
        String m = fail(feeds(40));
        assertEquals("input 'pixels': float32[40,3,224,224], expected float32[1..32,3,224,224] (the range of the engine's "
                + "optimization profile)", m);
    }

    @Test
    void wrongSpatialShapeAndRank() {
        String m = fail(Map.of("pixels", Tensor.zeros(1, 3, 200, 200), "ids", Tensor.ofLongs(new long[] {1, 4}, new long[4])));
        assertTrue(m.contains("float32[1,3,200,200]") && m.contains("expected float32[1..32,3,224,224]"), m);
        String r = fail(Map.of("pixels", Tensor.zeros(3, 224, 224), "ids", Tensor.ofLongs(new long[] {1, 4}, new long[4])));
        assertTrue(r.contains("float32[3,224,224]"), r);
    }

    @Test
    void wrongTypeUnknownAndMissing() {
        String t = fail(Map.of("pixels", Tensor.zeros(1, 3, 224, 224), "ids", Tensor.zeros(1, 4)));
        assertTrue(t.contains("input 'ids': float32[1,4], expected int32[1..32,4]") && t.contains("int64 ones, converted"), t);
        String u = fail(Map.of("pixels", Tensor.zeros(1, 3, 224, 224), "ids", Tensor.ofLongs(new long[] {1, 4}, new long[4]),
                "extra", Tensor.zeros(1)));
        assertTrue(u.contains("input 'extra' is not an input of engine 'vit.plan'") && u.contains("[pixels, ids]"), u);
        String miss = fail(Map.of("pixels", Tensor.zeros(1, 3, 224, 224)));
        assertEquals("input 'ids' is missing; expected int32[1..32,4]", miss);
    }

    @Test
    void float16InputsTakeFloat32Tensors() {
        IoTensor half = new IoTensor("x", true, DataType.FLOAT16, new long[] {2}, new long[] {2}, new long[] {2});
        IoValidation.validateInputs("e", List.of(half), Map.of("x", Tensor.zeros(2)));
    }

    @Test
    void outputSelection() {
        IoTensor logits = new IoTensor("logits", false, DataType.FLOAT32, new long[] {-1, 1000}, new long[] {32, 1000},
                new long[] {32, 1000});
        IoTensor feats = new IoTensor("feats", false, DataType.FLOAT16, new long[] {-1, 192}, new long[] {32, 192},
                new long[] {32, 192});
        List<IoTensor> outs = List.of(logits, feats);
        assertEquals(outs, IoValidation.selectOutputs("e", outs, Set.of()));
        assertEquals(List.of(feats), IoValidation.selectOutputs("e", outs, Set.of("feats")));
        String m = assertThrows(IllegalArgumentException.class, () -> IoValidation.selectOutputs("engine 'v'", outs,
                Set.of("probs"))).getMessage();
        assertEquals("output 'probs' is not an output of engine 'v'; its outputs are [logits, feats]", m);
    }

    @Test
    void ioTensorSizesAndSpec() {
        assertEquals(32L * 3 * 224 * 224 * 4, PIXELS.maxBytes());
        assertEquals("int32", IDS.spec().dataType());
        assertEquals(List.of(-1L, 4L), IDS.spec().shape());
    }

    /**
     * An engine's float16 output spec, as TensorRT's runInto hands it to OutputChecks: a float16 tensor passes, a float32
     * one is refused with the line the ORT conformance run asserts. (That TensorRT's runInto calls the check at all is the
     * GPU conformance run's to show.)
     */
    @Test
    void aFloat16OutputSpecTakesFloat16TensorsAndRefusesFloat32OnesInOutputChecks() {
        IoTensor y = new IoTensor("y", false, DataType.FLOAT16, new long[] {-1, 4}, new long[] {32, 4}, new long[] {32, 4});
        List<io.jedge.sdk.bundle.TensorSpec> specs = List.of(y.spec());
        io.jedge.runtime.backend.OutputChecks.check(specs, Map.of("y", Tensor.allocateDirect(io.jedge.sdk.DataType.FLOAT16, 3, 4)),
                TrtBackend.NAME);
        String m = assertThrows(IllegalArgumentException.class, () -> io.jedge.runtime.backend.OutputChecks.check(specs,
                Map.of("y", Tensor.allocateDirect(io.jedge.sdk.DataType.FLOAT32, 3, 4)), TrtBackend.NAME)).getMessage();
        assertEquals("output 'y': float32[3,4] (direct), expected float16[N,4] (runInto writes each output in the model's own"
                + " element type; run() returns float16 outputs as float32)", m);
    }
}
