package io.jedge.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.NativeResource;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.TinyModels;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.diffusion.PixelRange;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decoder follows the one closing rule (NativeResource): idempotent close, use after close named. */
class SessionDecoderTest {
    @TempDir
    Path dir;

    @Test
    void decodesThenClosesOnceAndRefusesLaterCalls() throws Exception {
        InferenceSession session = new OrtBackend().open(TinyModels.copy("decoder", dir), SessionOptions.defaults());
        SessionDecoder d = new SessionDecoder(session, "fp32-decoder", PixelRange.MINUS_ONE_TO_ONE);
        Tensor image = d.decode(Tensor.ofFloats(new long[] {1, 4, 2, 2}, new float[16]));
        assertArrayEquals(new long[] {1, 3, 16, 16}, image.shape());
        d.close();
        d.close();
        assertTrue(d.isClosed());
        assertTrue(((NativeResource) session).isClosed(), "the decoder owns its session and closes it");
        assertEquals("decoder fp32-decoder is closed", assertThrows(IllegalStateException.class,
                () -> d.decode(Tensor.ofFloats(new long[] {1, 4, 2, 2}, new float[16]))).getMessage());
    }
}
