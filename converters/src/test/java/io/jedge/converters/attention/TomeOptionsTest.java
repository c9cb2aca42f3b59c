package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TomeOptionsTest {
    @Test
    void constructorRefusesBadValuesWithOneLine() {
        assertEquals("--tome 1.0, expected a merge ratio between 0 and 1 (exclusive), e.g. 0.5",
                assertThrows(IllegalArgumentException.class, () -> new TomeOptions(1.0, List.of(), 0)).getMessage());
        assertEquals("layers: [0, null], expected block indices 0 or more",
                assertThrows(IllegalArgumentException.class, () -> new TomeOptions(0.5, Arrays.asList(0, null), 0)).getMessage());
        assertEquals("layers: [-1], expected block indices 0 or more",
                assertThrows(IllegalArgumentException.class, () -> TomeOptions.defaults().withLayers(List.of(-1))).getMessage());
    }

    @Test
    void layersAreCopied() {
        List<Integer> layers = new ArrayList<>(List.of(1, 2));
        TomeOptions o = new TomeOptions(0.5, layers, 3);
        layers.add(5);
        assertEquals(List.of(1, 2), o.layers());
    }
}
