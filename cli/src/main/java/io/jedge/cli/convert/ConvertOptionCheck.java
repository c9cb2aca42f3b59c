package io.jedge.cli.convert;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Refuses {@code jedge convert} options that the chosen task or the other options would leave
 * unused, before any work: a typed option is either honoured or rejected with one line that names
 * it and says what to do, never silently ignored.
 */
final class ConvertOptionCheck {
    /** Options a latent-diffusion bundle has no use for, with why. */
    private static final Map<String, String> NOT_FOR_DIFFUSION = new LinkedHashMap<>();

    static {
        NOT_FOR_DIFFUSION.put("--calibration-seeded", "an INT8 denoiser calibrates on the inputs of seeded fp32 generations"
                + " (4 of the bundle's step count), not on seeded noise; drop it");
        NOT_FOR_DIFFUSION.put("--labels", "a diffusion bundle has no label output; pass class indices to 'jedge generate --class N'");
        NOT_FOR_DIFFUSION.put("--validation-inputs", "diffusion variants are measured on seeded latents at timesteps 999, 500, 100"
                + " and a seeded generation; drop it");
        NOT_FOR_DIFFUSION.put("--agreement-min", "top-1 agreement applies to classifiers; a denoiser's floor is --fidelity-min");
    }

    private static final List<String> ENGINE_OPTIONS = List.of("--engine-batch", "--workspace", "--timing-cache", "--no-tf32",
            "--engine-opt-level");
    private static final List<String> INT8_OPTIONS = List.of("--calibration-seeded", "--calibrator", "--exclude-layers",
            "--quantize-attention", "--max-auto-exclude");
    /** A diffusion bundle's INT8 options: its calibration data is not a choice, and --profile only shapes the INT8 denoiser. */
    private static final List<String> DIFFUSION_INT8_OPTIONS = List.of("--calibrator", "--profile", "--exclude-layers",
            "--quantize-attention", "--max-auto-exclude");
    private static final List<String> ELFATT_OPTIONS = List.of("--block", "--agents");
    /** Options of every training-free rewrite (elfatt-sd, tome, elfatt-sd+tome). */
    private static final List<String> REWRITE_OPTIONS = List.of("--layers", "--fidelity-min", "--agreement-min");

    private ConvertOptionCheck() {
    }

    /**
     * @param diffusion  whether the bundle is a latent-diffusion one
     * @param attention  the {@code --attention} forms asked for
     * @param precisions the {@code --precision} values asked for
     * @param engines    whether {@code --engines} was given
     * @throws IllegalArgumentException naming the first option that would go unused (the CLI prints it as one line)
     */
    static void check(CommandLine cl, boolean diffusion, List<String> attention, List<String> precisions, boolean engines) {
        CommandLine.ParseResult pr = cl.getParseResult();
        if (!engines) {
            refuse(cl, pr, ENGINE_OPTIONS, "it shapes TensorRT engines; add --engines tensorrt or drop it");
        }
        if (precisions.stream().noneMatch(p -> p.strip().equalsIgnoreCase("fp16"))) {
            refuse(cl, pr, List.of("--keep-fp32"), "it applies to FP16 variants; add fp16 to --precision or drop it");
        }
        if (precisions.stream().allMatch(p -> p.strip().equalsIgnoreCase("fp32"))) {
            refuse(cl, pr, List.of("--min-cosine"), "it gates FP16 and INT8 variants; add fp16 to --precision or drop it");
        }
        boolean int8 = precisions.stream().anyMatch(p -> p.strip().equalsIgnoreCase("int8"));
        boolean elfatt = attention.stream().anyMatch(a -> a.strip().equalsIgnoreCase("elfatt-sd") || a.strip().equalsIgnoreCase("elfatt-sd+tome"));
        boolean tome = attention.stream().anyMatch(a -> a.strip().toLowerCase(java.util.Locale.ROOT).contains("tome"));
        if (tome && !diffusion) {
            throw new IllegalArgumentException("--attention " + String.join(",", attention) + ": ToMe token merging is built for"
                    + " --task latent-diffusion bundles only; use keep or elfatt-sd");
        }
        if (!tome) {
            refuse(cl, pr, List.of("--tome"), "it sets the ToMe merge ratio; add --attention keep,tome (or elfatt-sd+tome) or drop it");
        }
        if (!diffusion && !int8) {
            refuse(cl, pr, INT8_OPTIONS, "it configures INT8 quantization; add int8 to --precision or drop it");
        }
        boolean fp16 = precisions.stream().anyMatch(p -> p.strip().equalsIgnoreCase("fp16"));
        if (!diffusion && !int8 && !fp16 && !elfatt) {
            // the data serves INT8 calibration and the FP16/ELFATT-SD reports; an fp32 'keep' bundle uses none of them
            refuse(cl, pr, List.of("--calibration", "--validation-inputs"),
                    "it feeds INT8 calibration and the fp16/int8/elfatt-sd reports; add one of them or drop it");
        }
        if (diffusion) {
            // before the ELFATT rule, so that a diffusion-only reason wins where both apply
            NOT_FOR_DIFFUSION.forEach((option, why) -> {
                if (pr.hasMatchedOption(option)) {
                    throw new IllegalArgumentException(option + " is not used by --task latent-diffusion: " + why);
                }
            });
        } else {
            refuse(cl, pr, List.of("--pipeline"), "it sets generation defaults of --task latent-diffusion bundles; drop it");
        }
        if (diffusion && !int8) {
            refuse(cl, pr, DIFFUSION_INT8_OPTIONS, "it configures the INT8 denoiser; add int8 to --precision or drop it");
        }
        if (!elfatt) {
            refuse(cl, pr, ELFATT_OPTIONS, "it configures the ELFATT-SD rewrite; add --attention keep,elfatt-sd or drop it");
        }
        if (diffusion && !elfatt && !tome && !fp16 && !int8) {
            refuse(cl, pr, List.of("--calibration"), "its held-out latents feed the elfatt-sd/tome/fp16/int8 fidelity reports;"
                    + " add one of them or drop it");
        }
        if (!elfatt && !tome) {
            refuse(cl, pr, REWRITE_OPTIONS, "it configures the training-free rewrites; add --attention keep,elfatt-sd"
                    + (diffusion ? " (or tome)" : "") + " or drop it");
        }
    }

    private static void refuse(CommandLine cl, CommandLine.ParseResult pr, List<String> options, String why) {
        for (String o : options) {
            if (pr.hasMatchedOption(o)) {
                throw new IllegalArgumentException(o + " would go unused: " + why);
            }
        }
    }
}
