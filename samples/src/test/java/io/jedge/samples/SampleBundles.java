package io.jedge.samples;

import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.Converter;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import java.nio.file.Path;
import java.util.List;

/** Small bundles the sample tests build themselves. */
public final class SampleBundles {
    private SampleBundles() {
    }

    /** A 64-px, 2-block ViT classifier bundle with vanilla and ELFATT-SD variants and labels. */
    public static Path tinyClassifier(Path dir) throws Exception {
        Path model = dir.resolve("vit.onnx");
        VitBuilder.build(new VitConfig(64, 8, 64, 2, 4, 2, 10), new SeededWeights(11), new VanillaAttention()).save(model);
        List<String> labels = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
        return new Converter(l -> { }).convert(model, dir.resolve("vit.bundle"), ConversionOptions.builder()
                .attention(List.of("keep", "elfatt-sd")).labels(labels).batch(1, 4, 16).build()).dir();
    }
}
