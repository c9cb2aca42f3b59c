package io.jedge.runtime.backend.trt.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jedge.sdk.JedgeException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The missing-TensorRT path; runs where TensorRT cannot load (CI, laptops, this build machine). */
class TrtEngineBuilderTest {
    @TempDir
    Path dir;

    @Test
    void buildFailsWithOneLineNamingWhatIsMissing() {
        Optional<String> reason = TrtEngineBuilder.unavailableReason();
        assumeTrue(reason.isPresent(), "TensorRT is available here; see TrtEngineGpuTest");
        assertFalse(reason.get().contains("\n"));
        JedgeException e = assertThrows(JedgeException.class,
                () -> new TrtEngineBuilder(TrtBuildOptions.defaults()).build(dir.resolve("model.onnx")));
        assertEquals(JedgeException.Code.BACKEND_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().startsWith("cannot build a TensorRT engine from model.onnx: TensorRT unavailable: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("shared/gpu/README.md") || e.getMessage().contains("linkpath")
                || e.getMessage().contains("NVIDIA GPU"), e.getMessage());
    }
}
