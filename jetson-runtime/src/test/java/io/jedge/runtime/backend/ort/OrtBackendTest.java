package io.jedge.runtime.backend.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.SessionOptions;
import io.jedge.sdk.JedgeException;
import org.junit.jupiter.api.Test;

class OrtBackendTest {
    @Test
    void anInMemoryModelThatDoesNotParseIsALoadFailureNamingIt() {
        byte[] notAModel = {0x08, 0x07, 0x12, 0x7f, 0x01};
        JedgeException e = assertThrows(JedgeException.class,
                () -> new OrtBackend().open(notAModel, "the INT8 candidate", SessionOptions.defaults()));
        assertEquals(JedgeException.Code.MODEL_LOAD_FAILED, e.code());
        assertTrue(e.getMessage().startsWith("ONNX Runtime cannot load the INT8 candidate: "), e.getMessage());
    }
}
