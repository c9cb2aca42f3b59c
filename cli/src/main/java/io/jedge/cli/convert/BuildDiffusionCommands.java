package io.jedge.cli.convert;

import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.TaesdDecoderBuilder;
import io.jedge.converters.models.TaesdDecoderConfig;
import io.jedge.converters.onnx.OnnxModel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code build-model} subcommands for latent diffusion: the DiT denoiser and the TAESD decoder. */
final class BuildDiffusionCommands {
    private BuildDiffusionCommands() {
    }

    @Command(name = "dit", description = {
        "A latent DiT denoiser with DiT's checkpoint tensor names (see README).",
        "Inputs latents [N,4,L,L] float, timesteps [N] float, class_labels [N] int64 (null class = --classes);",
        "output noise_pred [N,8,L,L] (first 4 channels: the noise) or [N,4,L,L] with --no-learn-sigma."})
    static final class Dit implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--preset", defaultValue = "s", description = "tiny, s (DiT-S/2), b (DiT-B/2) or xl (DiT-XL/2, the published checkpoints) (default: ${DEFAULT-VALUE}).")
        String preset;

        @Option(names = "--latent", paramLabel = "SIDE", description = "Latent side: 32 (256 px images) or 64 (512 px); default 32.")
        Integer latent;

        // a checkpoint trained at another size (a small DiT of one's own) must be buildable without a preset of its own
        @Option(names = "--hidden", paramLabel = "N", description = "Token width, overriding the preset's (a multiple of 4 and of --heads).")
        Integer hidden;

        @Option(names = "--depth", paramLabel = "N", description = "Number of DiT blocks, overriding the preset's.")
        Integer depth;

        @Option(names = "--heads", paramLabel = "N", description = "Attention heads, overriding the preset's.")
        Integer heads;

        @Option(names = "--classes", paramLabel = "N", description = "Class count (default 1000, ImageNet); class N is the null class.")
        Integer classes;

        @Option(names = "--unconditional", description = "No class input and no class embedding.")
        boolean unconditional;

        @Option(names = "--learn-sigma", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Predict the variance too (2x output channels), as DiT's checkpoints do (default: on).")
        boolean learnSigma;

        @picocli.CommandLine.Mixin
        BuildModelCommand.Output out = new BuildModelCommand.Output();

        @Override
        public Integer call() {
            DitConfig c = config();
            long t0 = System.nanoTime();
            OnnxModel m = DitBuilder.build(c, out.weights());
            return out.save(spec, m, String.format("DiT (hidden %d, depth %d, heads %d, patch %d, latent %d, %d tokens, %s, %d output channels, %s)",
                    c.hidden(), c.depth(), c.heads(), c.patch(), c.latentSize(), c.tokens(),
                    c.conditional() ? c.classes() + " classes + null class " + c.nullClass() : "unconditional", c.outChannels(),
                    m.metadata().get("jedge.weights")), t0);
        }

        DitConfig config() {
            if (unconditional && classes != null) {
                throw new ParameterException(spec.commandLine(), "--classes " + classes + " and --unconditional exclude each other");
            }
            if (classes != null && classes < 1) {
                throw new ParameterException(spec.commandLine(), "--classes " + classes + ", expected at least 1 (or --unconditional)");
            }
            DitConfig c = DitConfig.preset(preset).withLearnSigma(learnSigma);
            if (latent != null) {
                c = c.withLatentSize(latent);
            }
            try {
                c = c.withSize(hidden, depth, heads);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage() + " (--hidden, --depth, --heads)");
            }
            return c.withClasses(unconditional ? 0 : classes != null ? classes : c.classes());
        }
    }

    @Command(name = "vae-decoder", description = {
        "The TAESD tiny-autoencoder decoder with taesd_decoder.pth (or diffusers AutoencoderTiny) tensor names.",
        "Input latents [N,4,h,w] (raw SD latents, scaling factor 1.0), h and w dynamic unless --latent fixes them;",
        "output image [N,3,8h,8w] RGB in [0,1]."})
    static final class VaeDecoder implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        // TAESD is fully convolutional, so one decoder serves every latent size unless the user pins one
        @Option(names = "--latent", paramLabel = "SIDE", defaultValue = "0",
                description = "Latent side to fix height and width to (default: 0, dynamic; any size decodes).")
        int latent;

        @Option(names = "--latent-channels", defaultValue = "4", description = "4 for SD 1.x/2.x/XL TAESD, 16 for taesd3/taef1 (default: ${DEFAULT-VALUE}).")
        int latentChannels;

        @Option(names = "--clamp", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Clip the image to [0,1] (default: on).")
        boolean clamp;

        @picocli.CommandLine.Mixin
        BuildModelCommand.Output out = new BuildModelCommand.Output();

        @Override
        public Integer call() {
            TaesdDecoderConfig c = new TaesdDecoderConfig(latent, latentChannels, clamp);
            long t0 = System.nanoTime();
            OnnxModel m = TaesdDecoderBuilder.build(c, out.weights());
            String size = c.dynamicSize() ? "dynamic size" : "latent " + latent + " -> " + latent * TaesdDecoderConfig.UPSCALE + " px";
            return out.save(spec, m, String.format("TAESD decoder (%s, %d latent channels, %s, %s)", size, latentChannels,
                    clamp ? "clamped to [0,1]" : "unclamped", m.metadata().get("jedge.weights")), t0);
        }
    }
}
