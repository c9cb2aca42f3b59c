package io.jedge.converters.convert;

import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.attention.FidelityFloor;
import io.jedge.converters.attention.TomeOptions;
import io.jedge.runtime.backend.trt.build.TrtBuildOptions;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code jedge convert} makes of a model. Immutable; build with {@link #builder()}.
 *
 * @param precisions variants to produce, e.g. [FP32, FP16, INT8]
 * @param batchMin   smallest batch the variants accept
 * @param batchOpt   batch the variants (and engines) are tuned for
 * @param batchMax   largest batch
 * @param labels     class labels (empty: "class N")
 * @param task       forced task (null: guessed from the model's interface)
 * @param attention  attention forms to produce: {@code keep} (the model as it is), {@code elfatt-sd}, and for
 *                   latent-diffusion bundles {@code tome} and {@code elfatt-sd+tome}
 * @param elfattSd   options of the ELFATT-SD rewrite (layers, block, agents)
 * @param tome       options of ToMe token merging (merge ratio) for the {@code tome} and {@code elfatt-sd+tome} forms
 * @param fidelity   the floor an approximate attention rewrite must meet to be written (layers are chosen greedily to meet it)
 * @param engines    TensorRT engine options when {@code --engines tensorrt} was asked for; null otherwise
 * @param precision  FP16/INT8 passes, calibration and the accuracy gate
 * @param preprocessing how images become the model's input (mean/std, size, crop, interpolation)
 */
public record ConversionOptions(String name, List<Precision> precisions, int batchMin, int batchOpt, int batchMax,
        List<String> labels, Task task, List<String> attention, ElfattSdOptions elfattSd, FidelityFloor fidelity,
        TrtBuildOptions engines, PrecisionOptions precision, PreprocessingOptions preprocessing, TomeOptions tome) {
    /** The {@code --attention} forms, in the order they are written. */
    public static final List<String> FORMS = List.of("keep", "elfatt-sd", "tome", "elfatt-sd+tome");

    /** Checks every value, so that no construction path skips a check. */
    public ConversionOptions {
        if (precisions == null || precisions.isEmpty()) {
            throw new IllegalArgumentException("--precision: at least one of fp32, fp16, int8 is needed");
        }
        if (batchMin < 1 || batchMin > batchOpt || batchOpt > batchMax || batchMax > io.jedge.sdk.bundle.Variant.MAX_BATCH) {
            throw new IllegalArgumentException("--batch " + batchMin + ":" + batchOpt + ":" + batchMax
                    + ", expected MIN:OPT:MAX with 1 <= MIN <= OPT <= MAX <= " + io.jedge.sdk.bundle.Variant.MAX_BATCH);
        }
        if (precision == null) {
            throw new IllegalArgumentException("precision options must not be null; use PrecisionOptions.defaults()");
        }
        if (attention == null || attention.isEmpty()) {
            throw new IllegalArgumentException("--attention: at least one of " + String.join(", ", FORMS) + " is needed");
        }
        for (String a : attention) {
            if (!FORMS.contains(a)) {
                throw new IllegalArgumentException("--attention '" + a + "', expected one of " + String.join(", ", FORMS));
            }
        }
        if (tome == null) {
            throw new IllegalArgumentException("tome options must not be null; use TomeOptions.defaults()");
        }
        if (fidelity == null) {
            throw new IllegalArgumentException("fidelity floor must not be null; use FidelityFloor.DEFAULT");
        }
        precisions = List.copyOf(precisions);
        attention = List.copyOf(attention);
    }


    public static Builder builder() {
        return new Builder();
    }

    /** Builder; the record's constructor validates. */
    public static final class Builder {
        private String name;
        private List<Precision> precisions = List.of(Precision.FP32);
        private int batchMin = 1;
        private int batchOpt = 8;
        private int batchMax = 64;
        private List<String> labels = List.of();
        private Task task;
        private List<String> attention = List.of("keep");
        private ElfattSdOptions elfattSd = ElfattSdOptions.builder().build();
        private FidelityFloor fidelity = FidelityFloor.DEFAULT;
        private TrtBuildOptions engines;
        private TomeOptions tome = TomeOptions.defaults();

        /** ToMe options for the {@code tome} and {@code elfatt-sd+tome} forms (default: ratio 0.5). */
        public Builder tome(TomeOptions o) {
            tome = o;
            return this;
        }

        public Builder engines(TrtBuildOptions o) {
            engines = o;
            return this;
        }

        public Builder attention(List<String> forms) {
            attention = List.copyOf(forms);
            return this;
        }

        public Builder elfattSd(ElfattSdOptions o) {
            elfattSd = o;
            return this;
        }

        public Builder fidelity(FidelityFloor f) {
            fidelity = f;
            return this;
        }
        // --- precision (FP16 / INT8) ---
        private PrecisionOptions precision = PrecisionOptions.defaults();

        public Builder name(String n) {
            name = n;
            return this;
        }

        public Builder precisions(List<Precision> p) {
            precisions = List.copyOf(p);
            return this;
        }

        public Builder batch(int min, int opt, int max) {
            batchMin = min;
            batchOpt = opt;
            batchMax = max;
            return this;
        }

        public Builder labels(List<String> l) {
            labels = List.copyOf(l);
            return this;
        }

        public Builder task(Task t) {
            task = t;
            return this;
        }

        private PreprocessingOptions preprocessing = PreprocessingOptions.none();

        /** Image preprocessing choices; {@link PreprocessingOptions#none()} keeps what the model implies. */
        public Builder preprocessing(PreprocessingOptions p) {
            preprocessing = p == null ? PreprocessingOptions.none() : p;
            return this;
        }

        /** FP16/INT8 options, calibration source and --min-cosine. */
        public Builder precision(PrecisionOptions p) {
            precision = p;
            return this;
        }

        public ConversionOptions build() {
            return new ConversionOptions(name, precisions, batchMin, batchOpt, batchMax, labels, task, attention, elfattSd, fidelity,
                    engines, precision, preprocessing, tome);
        }
    }

    /** ELFATT-SD options from the optional command-line values. */
    public static ElfattSdOptions elfattOptions(List<Integer> layers, Integer block, Integer agents) {
        return AttentionVariants.options(layers, block, agents);
    }

    /** Parses "MIN:OPT:MAX". */
    public static int[] parseBatch(String s) {
        String[] p = s.split(":");
        try {
            if (p.length == 3) {
                return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException("--batch '" + s + "', expected MIN:OPT:MAX such as 1:8:32");
    }

    private static final long MAX_LABELS_BYTES = 16L << 20;

    /** Reads labels, one per line (blank lines skipped), refusing control characters and oversized files. */
    public static List<String> readLabels(Path file) {
        try {
            long size = java.nio.file.Files.size(file);
            if (size > MAX_LABELS_BYTES) { // read whole below: refuse what would not fit before reading it
                throw new IllegalArgumentException("--labels " + file + ": " + size + " bytes, expected a text file of at most "
                        + (MAX_LABELS_BYTES >> 20) + " MiB (one label per line)");
            }
            List<String> lines = java.nio.file.Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                // labels are printed by run, eval and classify: an escape sequence would reach the terminal
                if (!io.jedge.sdk.Printable.isPlain(lines.get(i).strip())) {
                    throw new IllegalArgumentException("--labels " + file + ": line " + (i + 1) + " '"
                            + io.jedge.sdk.Printable.escape(lines.get(i).strip()) + "' holds control characters; expected plain text");
                }
            }
            return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read labels file " + file + " (" + e.getMessage() + ")", e);
        }
    }
}
