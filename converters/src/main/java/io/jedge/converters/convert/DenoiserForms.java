package io.jedge.converters.convert;

import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.attention.ElfattSdRewrite;
import io.jedge.converters.attention.TensorRtReady;
import io.jedge.converters.attention.TomeOptions;
import io.jedge.converters.attention.TomeRewrite;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.Fp16Converter;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.sdk.bundle.AttentionKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The FP16 denoiser graphs a latent-diffusion bundle's TensorRT engines are built from, one per attention form, every
 * supported block rewritten, written without the bundle's fidelity runs. For timing engines on shapes where those CPU
 * runs take far longer than the timing (4096-token DiTs on the device machine); never a bundle, since measured fidelity
 * is what lets an approximate variant into one ({@link DiffusionConverter}).
 */
public final class DenoiserForms {
    private DenoiserForms() {
    }

    /**
     * Writes {@code fp16-<form>.onnx} into {@code dir} for each form (keep, elfatt-sd, tome, elfatt-sd+tome), with the
     * rewrite, FP16 and TensorRT-ready passes a convert uses, and returns the files.
     *
     * @param layers the blocks the rewrites change (as a convert's {@code --layers}); empty: every supported block
     *
     * @throws IllegalArgumentException for an unknown form or a ToMe ratio out of range, before any work
     */
    public static List<Path> write(Path denoiser, Path dir, List<String> forms, double tomeRatio, List<Integer> layers,
            Consumer<String> progress)
            throws IOException {
        List<AttentionKind> kinds = new ArrayList<>();
        for (String f : forms) {
            if (!ConversionOptions.FORMS.contains(f)) { // the forms a convert's --attention takes
                throw new IllegalArgumentException("form '" + f + "': expected " + String.join(", ", ConversionOptions.FORMS));
            }
            kinds.add(f.equals("keep") ? AttentionKind.VANILLA : AttentionKind.parse(f));
        }
        TomeOptions tome = layers.isEmpty() ? TomeOptions.of(tomeRatio) : TomeOptions.of(tomeRatio).withLayers(layers);
        ElfattSdOptions elfatt = layers.isEmpty() ? ElfattSdOptions.defaults() : ElfattSdOptions.defaults().toBuilder().layers(layers).build();
        OnnxModel source = OnnxModel.load(denoiser);
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (AttentionKind k : kinds) {
            long t0 = System.nanoTime();
            OnnxModel m = switch (k) {
                case ELFATT_SD -> ElfattSdRewrite.rewrite(source, elfatt).model();
                case TOME -> TomeRewrite.rewrite(source, tome, null).model();
                case ELFATT_SD_TOME -> TomeRewrite.rewrite(source, tome, elfatt).model();
                default -> source;
            };
            OnnxModel fp16 = Fp16Converter.convert(m, PrecisionOptions.defaults().fp16()).model();
            TensorRtReady.Result ready = TensorRtReady.prepare(fp16);
            if (!ready.ready()) {
                throw new IllegalStateException(k.id() + " form: " + ready.whyNot());
            }
            Path out = dir.resolve("fp16-" + k.id() + ".onnx");
            fp16.save(out);
            written.add(out);
            progress.accept(String.format(java.util.Locale.ROOT, "%s: %d nodes, %d attention op(s) lowered, %d scale(s) folded -> %s (%.1f s)",
                    k.id(), fp16.graph().nodes().size(), ready.lowered().size(), ready.folded().size(), out, (System.nanoTime() - t0) / 1e9));
        }
        return written;
    }
}
