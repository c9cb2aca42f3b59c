package io.jedge.converters.precision;

import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything {@code jedge convert} needs for its FP16 and INT8 variants: the two passes' options,
 * where calibration inputs come from, and the accuracy gate. Immutable; build with
 * {@link #builder()}.
 *
 * @param fp16 FP16 pass options
 * @param int8 INT8 quantizer options
 * @param calibrationDir image folder to calibrate on (null: seeded inputs)
 * @param calibrationSeeded number of seeded calibration inputs when no folder is given
 * @param minCosine a variant whose output cosine against FP32 is below this is refused
 * @param validationInputs held-out seeded inputs for the accuracy report (used when the image
 *     folder is too small to hold out every fifth image)
 * @param seed seed of the calibration inputs; held-out inputs use {@code seed + 1000}
 */
public record PrecisionOptions(Fp16Options fp16, Int8Options int8, Path calibrationDir, int calibrationSeeded,
        double minCosine, int validationInputs, long seed) {
    /** Checks every value; with neither a calibration folder nor a seeded count, {@link #DEFAULT_SEEDED} seeded inputs. */
    public PrecisionOptions {
        if (fp16 == null || int8 == null) {
            throw new IllegalArgumentException("fp16 and int8 options must not be null");
        }
        if (calibrationDir != null && calibrationSeeded > 0) {
            throw new IllegalArgumentException("--calibration " + calibrationDir + " and --calibration-seeded " + calibrationSeeded
                    + " both given, expected one of them");
        }
        if (calibrationDir != null && !java.nio.file.Files.isReadable(calibrationDir)) {
            // checked here, before any model is loaded or variant built
            throw new IllegalArgumentException("--calibration " + calibrationDir + " does not exist or cannot be read; give a folder of images, "
                    + "a .npy or .f32 file, or a folder of them");
        }
        if (calibrationSeeded < 0) {
            throw new IllegalArgumentException("--calibration-seeded " + calibrationSeeded + ", expected >= 1");
        }
        if (!(minCosine >= -1 && minCosine <= 1)) {
            throw new IllegalArgumentException("--min-cosine " + minCosine + ", expected a number in [-1, 1]");
        }
        if (validationInputs < 1) {
            throw new IllegalArgumentException("validation inputs " + validationInputs + ", expected >= 1");
        }
        if (calibrationDir == null && calibrationSeeded == 0) {
            calibrationSeeded = DEFAULT_SEEDED;
        }
    }

    /** Seeded calibration inputs used when int8 is requested and no source is given. */
    public static final int DEFAULT_SEEDED = 32;
    public static final double DEFAULT_MIN_COSINE = 0.99;
    public static final int DEFAULT_VALIDATION_INPUTS = 16;
    /** Offset between the calibration seed and the held-out seed. */
    public static final long HELD_OUT_SEED_OFFSET = 1000;

    public static PrecisionOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Calibration inputs: the folder's images (every fifth held out when there are at least
     * five), or seeded inputs.
     */
    public CalibrationSet calibrationSet(List<TensorSpec> inputs, Preprocessing preprocessing) {
        if (calibrationDir == null) {
            return CalibrationSet.seeded(inputs, calibrationSeeded, seed);
        }
        return CalibrationSet.from(calibrationDir, inputs, preprocessing).everyFifth(false);
    }

    /** Held-out inputs for the accuracy report, never the calibration inputs. */
    public CalibrationSet validationSet(List<TensorSpec> inputs, Preprocessing preprocessing) {
        if (calibrationDir != null) {
            CalibrationSet all = CalibrationSet.from(calibrationDir, inputs, preprocessing);
            if (all.samples() >= 5) {
                return all.everyFifth(true);
            }
        }
        return CalibrationSet.seeded(inputs, validationInputs, seed + HELD_OUT_SEED_OFFSET);
    }

    /** True when the validation inputs are the user's data rather than seeded noise. */
    public boolean hasUserData() {
        return calibrationDir != null;
    }

    /** Builder; the record's constructor validates. */
    public static final class Builder {
        private Fp16Options fp16 = Fp16Options.defaults();
        private Int8Options int8 = Int8Options.defaults();
        private Path dir;
        private int seeded;
        private double minCosine = DEFAULT_MIN_COSINE;
        private int validation = DEFAULT_VALIDATION_INPUTS;
        private long seed = 1;

        public Builder fp16(Fp16Options o) {
            fp16 = o;
            return this;
        }

        public Builder int8(Int8Options o) {
            int8 = o;
            return this;
        }

        /** Calibrate on the images of {@code dir}. */
        public Builder calibrationDir(Path dir) {
            this.dir = dir;
            return this;
        }

        /** Calibrate on {@code n} seeded inputs. */
        public Builder calibrationSeeded(int n) {
            seeded = n;
            return this;
        }

        public Builder minCosine(double c) {
            minCosine = c;
            return this;
        }

        public Builder validationInputs(int n) {
            validation = n;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public PrecisionOptions build() {
            return new PrecisionOptions(fp16, int8, dir, seeded, minCosine, validation, seed);
        }
    }
}
