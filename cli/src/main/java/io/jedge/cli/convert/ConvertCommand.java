package io.jedge.cli.convert;

import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.Converter;
import io.jedge.converters.attention.FidelityFloor;
import io.jedge.converters.precision.CalibrationMethod;
import io.jedge.converters.precision.Fp16Options;
import io.jedge.converters.precision.Int8Options;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.converters.precision.QuantProfile;
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
            description = "Attention forms: keep (as exported), elfatt-sd (training-free rewrite) and, for latent-diffusion, "
                    + "tome (ToMe token merging) and elfatt-sd+tome. Default ${DEFAULT-VALUE}.")
    List<String> attention;

    @Option(names = "--tome", paramLabel = "RATIO", description = "tome, elfatt-sd+tome: fraction of each block's tokens merged "
            + "before its self-attention, between 0 and 1 (default 0.5).")
    Double tomeRatio;

    @Option(names = "--layers", split = ",", description = "elfatt-sd, tome: attention blocks to rewrite, by index (default: all supported).")
    List<Integer> layers;

    @Option(names = "--block", description = "elfatt-sd: tokens per local softmax block (default 256, clamped to the token count).")
    Integer block;

    @Option(names = "--agents", description = "elfatt-sd: agent tokens (default about tokens/16).")
    Integer agents;

    @Option(names = "--fidelity-min", description = "elfatt-sd, tome: the output cosine vs the original model a rewrite must keep "
            + "(default 0.99; a denoiser's: its worst timestep's predicted-noise cosine); layers are chosen greedily to keep it, "
            + "and the variant is left out when none does.")
    Double fidelityMin;

    @Option(names = "--agreement-min", description = "elfatt-sd: the top-1 agreement with the original a classifier's rewrite must keep "
            + "(default 0.99).")
    Double agreementMin;

    // --- TensorRT engines ---
    @Option(names = "--engines", description = "tensorrt: also build a TensorRT engine of every ONNX variant (on the GPU/Jetson it will run on).")
    String engines;

    @Option(names = "--engine-batch", paramLabel = "MIN:OPT:MAX", description = "Engine optimisation profile for the batch (default: --batch).")
    String engineBatch;

    @Option(names = "--workspace", defaultValue = "1024", description = "TensorRT workspace limit in MiB (default ${DEFAULT-VALUE}).")
    long workspace;

    @Option(names = "--timing-cache", paramLabel = "FILE", description = "Persistent TensorRT timing cache (loaded if present, saved after).")
    Path timingCache;

    @Option(names = "--no-tf32", description = "Strict FP32 engines (TF32 off).")
    boolean noTf32;

    @Option(names = "--engine-opt-level", description = "TensorRT builder optimisation level 0-5 (default 3; lower builds faster).")
    Integer engineOptLevel;

    private io.jedge.runtime.backend.trt.build.TrtBuildOptions engineOptions(int[] b) {
        if (engines == null) {
            return null;
        }
        if (!engines.equals("tensorrt")) {
            throw new IllegalArgumentException("--engines '" + engines + "', expected tensorrt");
        }
        var o = io.jedge.runtime.backend.trt.build.TrtBuildOptions.builder().workspaceMiB(workspace).tf32(!noTf32).timingCache(timingCache);
        if (engineOptLevel != null) {
            o.optimizationLevel(engineOptLevel);
        }
        if (engineBatch != null) {
            o.batch(engineBatch);
        } else {
            o.batch(b[0], b[1], b[2]);
        }
        return o.build();
    }

    // --- precision (FP16 / INT8): calibration, quantization profile, accuracy gate ---
    @Option(names = "--calibration", paramLabel = "PATH", description = "Your data: a folder of images, a .npy or .f32 file, or a folder of them. INT8 calibrates on it and every "
            + "fifth sample is held out for the accuracy and elfatt-sd fidelity reports. Diffusion: a folder with latents.npy, timesteps.npy "
            + "(and labels.npy) of held-out noised latents the fidelity reports compare predicted noise on.")
    Path calibrationDir;

    @Option(names = "--calibration-seeded", paramLabel = "N", description = "INT8: calibrate on N seeded inputs (default "
            + PrecisionOptions.DEFAULT_SEEDED + " when no --calibration is given).")
    Integer calibrationSeeded;

    @Option(names = "--calibrator", defaultValue = "entropy", description = "INT8 activation ranges: minmax, percentile or entropy (default ${DEFAULT-VALUE}).")
    String calibrator;

    @Option(names = "--profile", defaultValue = "ort-cpu", description = "INT8 Q/DQ layout: tensorrt or ort-cpu (default ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--min-cosine", defaultValue = "0.99", description = "Refuse an FP16/INT8 variant whose output cosine vs FP32 (a denoiser's: its worst timestep's "
            + "predicted-noise cosine) is below this (default ${DEFAULT-VALUE}).")
    double minCosine;

    @Option(names = "--exclude-layers", split = ",", paramLabel = "LAYER", description = "INT8: layers (names or globs, e.g. blocks.11.*) to keep float.")
    List<String> excludeLayers;

    @Option(names = "--keep-fp32", split = ",", paramLabel = "OP|NODE", description = "FP16: op types (e.g. Softmax) or node-name globs kept in FP32, on top of the defaults.")
    List<String> keepFp32;

    @Option(names = "--quantize-attention", description = "INT8: also quantize the attention MatMuls (off by default).")
    boolean quantizeAttention;

    @Option(names = "--max-auto-exclude", defaultValue = "-1", paramLabel = "N", description = "INT8: layers the validation loop may exclude to reach --min-cosine (-1: a quarter of them, 0: off).")
    int maxAutoExclude;

    @Option(names = "--validation-inputs", defaultValue = "16", paramLabel = "N", description = "Held-out seeded inputs for the accuracy report (default ${DEFAULT-VALUE}).")
    int validationInputs;

    private PrecisionOptions precisionOptions() {
        Fp16Options.Builder fp16 = Fp16Options.builder();
        if (keepFp32 != null) {
            fp16.keepFp32(keepFp32.toArray(String[]::new));
        }
        Int8Options int8 = Int8Options.builder().profile(QuantProfile.fromCliName(profile))
                .method(CalibrationMethod.fromCliName(calibrator))
                .excludeLayers(excludeLayers == null ? List.of() : excludeLayers).quantizeAttention(quantizeAttention)
                .maxAutoExclude(maxAutoExclude).build();
        PrecisionOptions.Builder b = PrecisionOptions.builder().fp16(fp16.build()).int8(int8).minCosine(minCosine)
                .validationInputs(validationInputs).calibrationDir(calibrationDir);
        if (calibrationSeeded != null) {
            b.calibrationSeeded(calibrationSeeded);
        }
        return b.build();
    }

    // --- image preprocessing (recorded in the bundle; used by run, classify and INT8 calibration) ---
    @Option(names = "--mean", split = ",", paramLabel = "R,G,B", description = "Per-channel mean on [0,1] pixels (default: ImageNet's for 3 channels, 0 for 1).")
    List<Double> mean;

    @Option(names = "--std", split = ",", paramLabel = "R,G,B", description = "Per-channel std on [0,1] pixels (default: ImageNet's for 3 channels, 1 for 1).")
    List<Double> std;

    @Option(names = "--resize", paramLabel = "N", description = "Input size after the crop (default: the model's fixed input height/width).")
    Integer resize;

    @Option(names = "--crop", paramLabel = "FRACTION", description = "timm crop_pct: resize the short side to floor(N / FRACTION), then centre-crop N x N "
            + "(default: resize the whole image to N x N).")
    Double crop;

    @Option(names = "--interpolation", description = "Resize filter: nearest, bilinear or bicubic (default bilinear).")
    String interpolation;

    @Option(names = "--preprocess", arity = "2", paramLabel = "timm-config FILE", description = "Take mean, std, interpolation, crop_pct and "
            + "input_size from a timm pretrained_cfg JSON; the flags above override it.")
    List<String> preprocess;

    private io.jedge.converters.convert.PreprocessingOptions preprocessingOptions() {
        var flags = io.jedge.converters.convert.PreprocessingOptions.of(mean, std, resize, crop, interpolation);
        if (preprocess == null) {
            return flags;
        }
        if (!preprocess.get(0).equals("timm-config")) {
            throw new IllegalArgumentException("--preprocess '" + preprocess.get(0) + "', expected timm-config FILE");
        }
        return io.jedge.converters.convert.PreprocessingOptions.fromTimmConfig(Path.of(preprocess.get(1))).overriddenBy(flags);
    }

    // --- latent diffusion ---
    @Option(names = "--decoder", paramLabel = "DECODER.onnx",
            description = "latent-diffusion: the VAE/TAESD decoder; MODEL.onnx is then the denoiser.")
    Path decoder;

    @Option(names = "--pipeline", paramLabel = "KEY=VALUE",
            description = "latent-diffusion: override a generation default (e.g. nullClass=1000, steps=50, scheduler=ddim).")
    java.util.Map<String, String> pipelineDefaults = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (decoder != null && task != null && Task.parse(task) != Task.LATENT_DIFFUSION) {
            throw new IllegalArgumentException("--decoder with --task " + task
                    + ": a decoder belongs to --task latent-diffusion; drop one of them");
        }
        ConvertOptionCheck.check(spec.commandLine(), decoder != null || (task != null && Task.parse(task) == Task.LATENT_DIFFUSION),
                attention, precisions, engines != null);
        int[] b = ConversionOptions.parseBatch(batch);
        ConversionOptions o = ConversionOptions.builder().name(name)
                .precisions(precisions.stream().map(Precision::parse).toList()).batch(b[0], b[1], b[2])
                .labels(labels == null ? List.of() : ConversionOptions.readLabels(labels))
                .task(task == null ? null : Task.parse(task))
                .attention(attention).elfattSd(io.jedge.converters.convert.ConversionOptions.elfattOptions(layers, block, agents))
                .tome(new io.jedge.converters.attention.TomeOptions(tomeRatio != null ? tomeRatio
                        : io.jedge.converters.attention.TomeOptions.DEFAULT_RATIO, layers != null ? layers : List.of(),
                        io.jedge.converters.attention.TomeOptions.DEFAULT_SEED))
                .fidelity(new FidelityFloor(
                        fidelityMin != null ? fidelityMin : FidelityFloor.DEFAULT.cosine(),
                        agreementMin != null ? agreementMin : FidelityFloor.DEFAULT.top1Agreement())).engines(engineOptions(b)).precision(precisionOptions())
                .preprocessing(preprocessingOptions()).build();
        if (latentDiffusion(o) && !o.preprocessing().isEmpty()) {
            throw new IllegalArgumentException("--mean/--std/--resize/--crop/--interpolation/--preprocess apply to image models, "
                    + "not to a latent-diffusion bundle; leave them out");
        }
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
            throw new IllegalArgumentException("--task latent-diffusion needs --decoder DECODER.onnx (the bundle holds denoiser and decoder)");
        }
        return decoder;
    }
}
