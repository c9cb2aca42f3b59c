package io.jedge.converters.cli;

import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.Converter;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.bundle.Variant;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "convert", description = "Convert an ONNX model into a bundle of variants.")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL.onnx")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "BUNDLE", description = "Bundle directory to write.")
    Path output;

    @Option(names = "--precision", split = ",", defaultValue = "fp32", description = "Comma-separated: fp32, fp16, int8 (default ${DEFAULT-VALUE}).")
    List<String> precisions;

    @Option(names = "--name", description = "Model name in the bundle (default: the file name).")
    String name;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class labels, one per line.")
    Path labels;

    @Option(names = "--batch", defaultValue = "1:8:64", paramLabel = "MIN:OPT:MAX", description = "Batch range (default ${DEFAULT-VALUE}).")
    String batch;

    @Option(names = "--task", description = "image-classification, latent-diffusion or generic (default: guessed).")
    String task;

    // --- attention ---
    @Option(names = "--attention", split = ",", defaultValue = "keep",
            description = "Attention forms: keep (as exported) and/or elfatt-sd (training-free rewrite). Default ${DEFAULT-VALUE}.")
    List<String> attention;

    @Option(names = "--layers", split = ",", description = "elfatt-sd: attention blocks to rewrite, by index (default: all supported).")
    List<Integer> layers;

    @Option(names = "--block", description = "elfatt-sd: tokens per local softmax block (default 256, clamped to the token count).")
    Integer block;

    @Option(names = "--agents", description = "elfatt-sd: agent tokens (default about tokens/16).")
    Integer agents;

    @Option(names = "--fidelity-min", description = "elfatt-sd: rewrite only the layers that keep the whole-model cosine at or above this.")
    Double fidelityMin;

    // --- latent diffusion ---
    @Option(names = "--decoder", paramLabel = "DECODER.onnx",
            description = "latent-diffusion: the VAE/TAESD decoder; MODEL.onnx is then the denoiser.")
    Path decoder;

    @Option(names = "--pipeline", paramLabel = "KEY=VALUE",
            description = "latent-diffusion: override a generation default (e.g. nullClass=1000, steps=50, scheduler=ddim).")
    java.util.Map<String, String> pipelineDefaults = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        int[] b = ConversionOptions.parseBatch(batch);
        ConversionOptions o = ConversionOptions.builder().name(name)
                .precisions(precisions.stream().map(Precision::parse).toList()).batch(b[0], b[1], b[2])
                .labels(labels == null ? List.of() : ConversionOptions.readLabels(labels))
                .task(task == null ? null : Task.parse(task))
                .attention(attention).elfattSd(io.jedge.converters.convert.ConversionOptions.elfattOptions(layers, block, agents))
                .fidelityMin(fidelityMin).build();
        var out = spec.commandLine().getOut();
        java.util.function.Consumer<String> progress = line -> {
            out.println(line);
            out.flush();
        };
        Bundle bundle = latentDiffusion(o)
                ? new io.jedge.converters.convert.DiffusionConverter(progress).convert(model, requireDecoder(), output, o, pipelineDefaults)
                : new Converter(progress).convert(model, output, o);
        out.println("bundle " + bundle.dir() + " (" + bundle.manifest().task().id() + "):");
        for (Variant v : bundle.manifest().variants()) {
            out.printf("  %-22s %-6s %-10s batch %d..%d  %s%n", v.id(), v.precision().id(), v.attention().id(), v.batchMin(),
                    v.batchMax(), v.file());
        }
        out.flush();
        return 0;
    }

    private boolean latentDiffusion(ConversionOptions o) {
        return decoder != null || o.task() == Task.LATENT_DIFFUSION;
    }

    private Path requireDecoder() {
        if (decoder == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--task latent-diffusion needs --decoder DECODER.onnx (the bundle holds denoiser and decoder)");
        }
        return decoder;
    }
}
