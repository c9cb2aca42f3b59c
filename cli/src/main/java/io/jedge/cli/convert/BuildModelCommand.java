package io.jedge.cli.convert;

import io.jedge.converters.attention.AttentionEmitter;
import io.jedge.converters.attention.AttentionForm;
import io.jedge.converters.attention.Attentions;
import io.jedge.converters.attention.BlockLayout;
import io.jedge.converters.attention.ElfattOptions;
import io.jedge.converters.models.HierarchicalAttention;
import io.jedge.converters.models.HierarchicalBuilder;
import io.jedge.converters.models.HierarchicalConfig;
import io.jedge.sdk.bundle.AttentionKind;
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
        subcommands = {BuildModelCommand.Vit.class, BuildModelCommand.Hierarchical.class, BuildDiffusionCommands.Dit.class,
                BuildDiffusionCommands.VaeDecoder.class})
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

    /**
     * What every builder command shares: where the weights come from, where the model goes, and
     * the one summary line printed after saving it.
     */
    static final class Output {
        @ArgGroup(exclusive = true)
        Weights weights = new Weights();

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "MODEL.onnx")
        Path output;

        /** Every builder asks for its weights first, so the output is checked here, before any building. */
        WeightSource weights() {
            io.jedge.sdk.AtomicFiles.requireWritable("--output " + output, output);
            return weights.source();
        }

        /** Saves {@code m} and prints "built WHAT -> FILE: N parameters, M nodes, T s". */
        int save(CommandSpec spec, OnnxModel m, String what, long startNanos) {
            m.save(output);
            ModelSummary s = ModelSummary.of(m);
            spec.commandLine().getOut().printf("built %s -> %s: %,d parameters, %d nodes, %.1f s%n", what, output, s.parameters(),
                    s.nodes(), (System.nanoTime() - startNanos) / 1e9);
            return 0;
        }
    }

    /** ELFATT options shared by the builders. */
    static final class ElfattFlags {
        @Option(names = "--split", defaultValue = "1:1", description = "ELFATT channel split c1:c2 by heads (default ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--blocks", description = "Local blocks: windows:W (W x W, padded), chunks:S (1-D), or whole (default windows:14).")
        String blocks;

        @Option(names = "--no-lepe", description = "Leave out LePE (depthwise 3x3 conv on V).")
        boolean noLepe;

        @Option(names = "--softmax-form", description = "How softmax attention is written: decomposed, mha (com.microsoft) or attention23.")
        String softmaxForm;

        ElfattOptions options() {
            String[] p = split.split(":");
            if (p.length != 2) {
                throw new IllegalArgumentException("--split '" + split + "', expected c1:c2 such as 1:1 or 3:1");
            }
            ElfattOptions.Builder b = ElfattOptions.builder().split(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()))
                    .lepe(!noLepe);
            if (blocks != null) {
                b.blocks(BlockLayout.parse(blocks));
            }
            if (softmaxForm != null) {
                b.softmaxForm(AttentionForm.parse(softmaxForm));
            }
            return b.build();
        }
    }

    @Command(name = "hier", description = "A four-stage hierarchical ViT (Swin-T / CSWin-T-like) with per-stage attention.")
    static final class Hierarchical implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--preset", defaultValue = "swin-t", description = "swin-t, cswin-t or tiny (default ${DEFAULT-VALUE}).")
        String preset;

        @Option(names = "--attention", defaultValue = "hybrid",
                description = "vanilla, window, elfatt, or hybrid (stages 1-2 ELFATT, 3 alternating, 4 vanilla). Default ${DEFAULT-VALUE}.")
        String attention;

        @Option(names = "--stage-blocks", split = ",", description = "Window side per stage, e.g. 7,7,14,7.")
        int[] stageBlocks;

        @picocli.CommandLine.Mixin
        ElfattFlags elfatt = new ElfattFlags();

        @picocli.CommandLine.Mixin
        Output out = new Output();

        @Override
        public Integer call() {
            HierarchicalConfig c = HierarchicalConfig.preset(preset);
            ElfattOptions o = elfatt.options();
            HierarchicalAttention plan = switch (attention) {
                case "hybrid" -> HierarchicalAttention.hybrid(o);
                case "vanilla", "window", "elfatt" -> HierarchicalAttention.uniform(AttentionKind.parse(attention), o);
                default -> throw new IllegalArgumentException("--attention '" + attention + "', expected vanilla, window, elfatt or hybrid");
            };
            if (stageBlocks != null) {
                plan = plan.withBlocks(stageBlocks);
            }
            long t0 = System.nanoTime();
            OnnxModel m = HierarchicalBuilder.build(c, out.weights(), plan);
            return out.save(spec, m, "hierarchical " + preset + " (" + attention + " attention)", t0);
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

        @Option(names = "--attention", defaultValue = "vanilla", description = "vanilla, fused, window or elfatt (default ${DEFAULT-VALUE}).")
        String attention;

        @picocli.CommandLine.Mixin
        ElfattFlags elfatt = new ElfattFlags();

        @picocli.CommandLine.Mixin
        Output out = new Output();

        @Override
        public Integer call() {
            VitConfig c = config();
            long t0 = System.nanoTime();
            OnnxModel m = VitBuilder.build(c, out.weights(), emitter());
            return out.save(spec, m, "ViT " + c + " (" + attention + " attention, " + m.metadata().get("jedge.weights") + ")", t0);
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
            return Attentions.byName(attention, elfatt.options());
        }
    }
}
