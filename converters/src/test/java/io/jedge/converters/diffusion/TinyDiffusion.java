package io.jedge.converters.diffusion;

import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.DiffusionConverter;
import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.TaesdDecoderBuilder;
import io.jedge.converters.models.TaesdDecoderConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Seeded DiT + TAESD bundles for the diffusion benchmark. */
final class TinyDiffusion {
    private TinyDiffusion() {
    }

    /** Builds both models into {@code dir} and converts them into {@code dir/bundle} with vanilla and ELFATT-SD denoisers. */
    static Path bundle(Path dir, DitConfig dit, ElfattSdOptions elfatt) throws Exception {
        Path den = dir.resolve("dit.onnx");
        Path dec = dir.resolve("taesd.onnx");
        DitBuilder.build(dit, new SeededWeights(11)).save(den);
        TaesdDecoderBuilder.build(TaesdDecoderConfig.sd(dit.latentSize()), new SeededWeights(12)).save(dec);
        ConversionOptions o = ConversionOptions.builder().attention(List.of("keep", "elfatt-sd")).elfattSd(elfatt)
                .batch(1, 2, 8).build();
        Path bundle = dir.resolve("bundle");
        new DiffusionConverter(line -> { }).convert(den, dec, bundle, o, Map.of());
        return bundle;
    }

    /** DiT-tiny (64 wide, 2 deep) at latent {@code side}, {@code classes} classes (0: unconditional). */
    static DitConfig dit(int side, int classes) {
        return DitConfig.preset("tiny").withLatentSize(side).withClasses(classes);
    }
}
