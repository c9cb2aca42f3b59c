package io.jedge.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.TinyModels;
import io.jedge.sdk.DataType;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Predictor;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app API with direct tensors: direct inputs through the batcher, and outputs into buffers the app owns. */
class PredictorDirectTest {
    @TempDir
    Path tmp;

    @Test
    void directInputsAndAppOwnedOutputsGiveTheSameAnswers() throws Exception {
        Bundle b = TinyModels.bundle(tmp.resolve("b"));
        try (RuntimeModel m = RuntimeModel.open(b, LoadOptions.builder().watchPower(false).build(),
                Environment.simulate("orin-nano-8gb:15W"))) {
            Predictor p = m.predictor();
            Tensor x = RuntimeModelTest.image(3);
            TensorSpec out = b.manifest().outputs().get(0);
            float[] want = p.run(Map.of("pixels", x)).get(out.name()).floats();

            float[] viaDirect = p.run(Map.of("pixels", x.toDirect())).get(out.name()).toFloatArray();
            assertArrayEquals(want, viaDirect, 1e-6f, "a direct input through the batcher");

            ByteBuffer mine = ByteBuffer.allocateDirect(want.length * 4).order(java.nio.ByteOrder.nativeOrder());
            Tensor logits = Tensor.wrap(DataType.FLOAT32, new long[] {1, want.length}, mine);
            p.runInto(Map.of("pixels", x), Map.of(out.name(), logits));
            float[] got = new float[want.length];
            mine.asFloatBuffer().get(got);
            assertArrayEquals(want, got, 1e-6f, "written into the app's buffer");
            p.runInto(Map.of("pixels", RuntimeModelTest.image(4)), Map.of(out.name(), logits));
            assertTrue(mine.getFloat(0) != want[0], "the same buffer holds the next answer");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> p.runInto(Map.of("pixels", x), Map.of(out.name(), Tensor.zeros(1, want.length))));
            assertTrue(e.getMessage().contains("on the heap"), e.getMessage());
        }
    }
}
