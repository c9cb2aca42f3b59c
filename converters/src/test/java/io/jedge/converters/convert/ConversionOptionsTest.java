package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.attention.FidelityFloor;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.converters.attention.TomeOptions;
import io.jedge.sdk.bundle.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record's own constructor checks every value, as the builder did. */
class ConversionOptionsTest {
    static ConversionOptions of(List<Precision> precisions, int min, int opt, int max, List<String> attention, FidelityFloor floor,
            PrecisionOptions precision) {
        return new ConversionOptions("m", precisions, min, opt, max, List.of(), null, attention, ElfattSdOptions.defaults(), floor,
                null, precision, PreprocessingOptions.none(), TomeOptions.defaults());
    }

    static void refused(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void publicConstructorRefusesBadValuesWithOneClearMessage() {
        List<Precision> fp32 = List.of(Precision.FP32);
        List<String> keep = List.of("keep");
        FidelityFloor f = FidelityFloor.DEFAULT;
        PrecisionOptions p = PrecisionOptions.defaults();
        refused("--precision: at least one", () -> of(List.of(), 1, 1, 1, keep, f, p));
        refused("--batch 4:2:8, expected MIN:OPT:MAX", () -> of(fp32, 4, 2, 8, keep, f, p));
        refused("--batch 0:1:1", () -> of(fp32, 0, 1, 1, keep, f, p));
        refused("--attention 'window', expected one of keep, elfatt-sd, tome, elfatt-sd+tome", () -> of(fp32, 1, 1, 1, List.of("window"), f, p));
        refused("--attention: at least one", () -> of(fp32, 1, 1, 1, List.of(), f, p));
        refused("fidelity floor must not be null", () -> of(fp32, 1, 1, 1, keep, null, p));
        refused("precision options must not be null", () -> of(fp32, 1, 1, 1, keep, f, null));
        ConversionOptions ok = of(new java.util.ArrayList<>(fp32), 1, 2, 4, keep, f, p);
        assertThrows(UnsupportedOperationException.class, () -> ok.precisions().add(Precision.INT8), "immutable");
        refused("--batch 3:2:1", () -> ConversionOptions.builder().batch(3, 2, 1).build());
    }

    @Test
    void preprocessingOptionsRefuseImpossibleSizesAndCrops() {
        refused("--resize 0: 0x0, expected a size of at least 1",
                () -> new PreprocessingOptions(null, 0, 0, "--resize 0", null, null, null, null));
        refused("size: 224x-1", () -> new PreprocessingOptions(null, 224, -1, null, null, null, null, null));
        refused("crop 1.5, expected a fraction in (0, 1]", () -> new PreprocessingOptions(null, null, null, null, null, null, null, 1.5));
        refused("--resize 0, expected a size of at least 1", () -> PreprocessingOptions.of(null, null, 0, null, null));
    }
}
