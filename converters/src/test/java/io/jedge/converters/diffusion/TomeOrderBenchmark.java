package io.jedge.converters.diffusion;

import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.DiffusionConverter;
import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.Safetensors;
import io.jedge.converters.precision.PrecisionOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The elfatt-sd+tome fidelity of the trained digits DiT (256 tokens, 128 left after merging at ratio 0.5) at several
 * ELFATT-SD block sizes, as a convert measures it on the 64 held-out noised latents: each layer alone, the greedy
 * selection under the default floor, the predicted-noise cosine per timestep and the final latents of an 8-step
 * generation. Block sizes below 128 cut the merged tokens into several local chunks, where their order matters.
 * Prints the converter's lines; no generation, so one block size takes seconds.
 *
 * <pre>
 * java -cp ... io.jedge.converters.diffusion.TomeOrderBenchmark WORKDIR BLOCK...
 * </pre>
 */
public final class TomeOrderBenchmark {
    private TomeOrderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TomeOrderBenchmark WORKDIR BLOCK... (run from converters/, where the digits fixture is)");
            System.exit(2);
        }
        Path work = Files.createDirectories(Path.of(args[0]));
        Path dit = work.resolve("digits-dit.onnx");
        if (!Files.exists(dit)) {
            DitBuilder.build(TrainedDigitsGenerationTest.DIGITS,
                    Safetensors.open(TrainedDigitsGenerationTest.FIXTURE.resolve("dit.safetensors"))).save(dit);
        }
        Path decoder = TrainedDigitsGenerationTest.pixelShuffleDecoder(work.resolve("pixel-shuffle.onnx"));
        Path heldOut = TrainedDigitsGenerationTest.heldOut(work.resolve("cal"));
        for (int i = 1; i < args.length; i++) {
            int block = Integer.parseInt(args[i]);
            ConversionOptions o = ConversionOptions.builder().batch(1, 2, 8).attention(List.of("keep", "elfatt-sd+tome"))
                    .elfattSd(ElfattSdOptions.builder().block(block).build())
                    .precision(PrecisionOptions.builder().calibrationDir(heldOut).build()).build();
            long t0 = System.nanoTime();
            new DiffusionConverter(l -> System.out.println("block " + block + ": " + l))
                    .convert(dit, decoder, work.resolve("digits-block" + block + ".bundle"), o, Map.of());
            System.out.printf("block %d: done in %.1f s%n", block, (System.nanoTime() - t0) / 1e9);
        }
    }
}
