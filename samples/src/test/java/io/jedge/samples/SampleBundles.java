package io.jedge.samples;

import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.Converter;
import io.jedge.converters.convert.DiffusionConverter;
import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.TaesdDecoderBuilder;
import io.jedge.converters.models.TaesdDecoderConfig;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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

    /** A seeded DiT-tiny (latent {@code latent}, 10 classes) + TAESD bundle with vanilla and ELFATT-SD denoisers. */
    public static Path tinyGenerator(Path dir, int latent) throws Exception {
        Path den = dir.resolve("dit.onnx");
        Path dec = dir.resolve("taesd.onnx");
        DitBuilder.build(DitConfig.preset("tiny").withLatentSize(latent).withClasses(10), new SeededWeights(21)).save(den);
        TaesdDecoderBuilder.build(TaesdDecoderConfig.sd(latent), new SeededWeights(22)).save(dec);
        return new DiffusionConverter(l -> { }).convert(den, dec, dir.resolve("dit.bundle"), ConversionOptions.builder()
                .attention(List.of("keep", "elfatt-sd")).batch(1, 2, 8).build(), Map.of()).dir();
    }
}
