package io.jedge.converters.cli;

import io.jedge.converters.attention.AttentionEmitter;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.Safetensors;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.models.WeightSource;
import io.jedge.converters.onnx.ModelSummary;
import io.jedge.converters.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "build-model", description = "Build a model as ONNX from checkpoint weights or a seed.",
        subcommands = {BuildModelCommand.Vit.class})
final class BuildModelCommand {

    /** Where weights come from: a checkpoint or a seed (the default is seed 0). */
    static final class Weights {
        @Option(names = "--weights", paramLabel = "FILE.safetensors", description = "Checkpoint with the documented tensor names.")
        Path file;

        @Option(names = "--seed", description = "Seeded random weights (timm-style init) instead of a checkpoint.")
        Long seed;

        WeightSource source() {
            return file != null ? Safetensors.open(file) : new SeededWeights(seed == null ? 0 : seed);
        }
    }

    @Command(name = "vit", description = "A plain ViT with timm VisionTransformer weight names (see README).")
    static final class Vit implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--preset", defaultValue = "tiny", description = "micro, tiny, small or base (default: ${DEFAULT-VALUE}).")
        String preset;

        @Option(names = "--image-size")
        Integer imageSize;

        @Option(names = "--patch")
        Integer patch;

        @Option(names = "--dim")
        Integer dim;

        @Option(names = "--depth")
        Integer depth;

        @Option(names = "--heads")
        Integer heads;

        @Option(names = "--classes")
        Integer classes;

        @Option(names = "--attention", defaultValue = "vanilla", description = "Attention form: ${COMPLETION-CANDIDATES}.")
        String attention;

        @ArgGroup(exclusive = true)
        Weights weights = new Weights();

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "MODEL.onnx")
        Path output;

        @Override
        public Integer call() {
            VitConfig c = config();
            long t0 = System.nanoTime();
            OnnxModel m = VitBuilder.build(c, weights.source(), emitter());
            m.save(output);
            ModelSummary s = ModelSummary.of(m);
            spec.commandLine().getOut().printf("built ViT %s (%s attention, %s) -> %s: %,d parameters, %d nodes, %.1f s%n", c,
                    attention, m.metadata().get("jedge.weights"), output, s.parameters(), s.nodes(), (System.nanoTime() - t0) / 1e9);
            return 0;
        }

        VitConfig config() {
            VitConfig p = VitConfig.preset(preset);
            return new VitConfig(or(imageSize, p.imageSize()), or(patch, p.patch()), or(dim, p.dim()), or(depth, p.depth()),
                    or(heads, p.heads()), p.mlpRatio(), or(classes, p.classes()));
        }

        private static int or(Integer v, int dflt) {
            return v == null ? dflt : v;
        }

        AttentionEmitter emitter() {
            return switch (attention) {
                case "vanilla" -> new VanillaAttention();
                default -> throw new IllegalArgumentException("--attention '" + attention + "', expected vanilla");
            };
        }
    }
}
