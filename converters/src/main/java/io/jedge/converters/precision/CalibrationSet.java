package io.jedge.converters.precision;

import io.jedge.runtime.backend.SeededInputs;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.TensorFiles;
import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.diffusion.GaussianNoise;
import io.jedge.sdk.vision.ImagePreprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Model inputs for calibration or validation, produced batch by batch so a large set never sits
 * in memory at once. Immutable; safe to iterate more than once (seeded sets regenerate the same
 * values, image sets re-read the files).
 *
 * <pre>{@code
 * CalibrationSet calib = CalibrationSet.seeded(session.inputs(), 32, 1);
 * CalibrationSet heldOut = CalibrationSet.seeded(session.inputs(), 16, 2); // another seed
 * }</pre>
 */
public final class CalibrationSet {
    /** Samples per batch unless the model fixes its batch dimension. */
    public static final int DEFAULT_BATCH = 8;

    private final int samples;
    private final int batchSize;
    private final IntFunction<Map<String, Tensor>> sample;
    private final String description;

    private CalibrationSet(int samples, int batchSize, IntFunction<Map<String, Tensor>> sample, String description) {
        this.samples = samples;
        this.batchSize = batchSize;
        this.sample = sample;
        this.description = description;
    }

    /**
     * {@code count} seeded samples for {@code inputs}: float inputs standard normal (the value
     * range of mean/std-normalised pixels), except that every second sample of an image input
     * ([N, C, H, W], H and W at least 8) is a smooth random image with a random brightness offset
     * (the spatial correlation of real images; see {@link #smoothImage}); int64 inputs uniform in
     * [0, 10) ({@link SeededInputs}). Sample {@code j} is stream {@code j} of {@code seed}, drawn input
     * by input with nothing drawn that is not kept, so batching does not change the values and an
     * input never moves the inputs before it.
     *
     * @throws IllegalArgumentException for a dynamic dimension other than the batch
     */
    public static CalibrationSet seeded(List<TensorSpec> inputs, int count, long seed) {
        requireCount(count);
        List<TensorSpec> specs = List.copyOf(inputs);
        for (TensorSpec s : specs) {
            try {
                SeededInputs.shape(s, 1);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + " (seeded calibration needs static shapes; give --calibration DIR)");
            }
        }
        IntFunction<Map<String, Tensor>> one = j -> {
            GaussianNoise r = GaussianNoise.forStream(seed, j);
            if (j % 2 == 0) {
                return SeededInputs.feed(specs, 1, r); // a fixed batch dimension stays: one sample is then one full batch
            }
            // input by input from the one stream, drawing only what is kept: noise would be thrown away under a smooth image
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (TensorSpec s : specs) {
                long[] shape = SeededInputs.shape(s, 1);
                out.putAll(!s.dataType().equals("int64") && isImage(shape)
                        ? Map.of(s.name(), Tensor.ofFloats(shape, smoothImage(r, shape)))
                        : SeededInputs.feed(List.of(s), 1, r));
            }
            return out;
        };
        return new CalibrationSet(count, batchFor(specs), one, count + " seeded inputs (seed " + seed + ")");
    }

    /**
     * The images of {@code dir} (PNG, JPEG, BMP, GIF; sorted by name), preprocessed as the bundle
     * says, fed to input {@code inputName}.
     *
     * @throws IllegalArgumentException if the folder does not exist or holds no image
     */
    public static CalibrationSet images(Path dir, Preprocessing preprocessing, String inputName) {
        return images(listImages(dir), preprocessing, inputName, dir.toString());
    }

    /** The given image files (see {@link #listImages}). */
    public static CalibrationSet images(List<Path> files, Preprocessing preprocessing, String inputName, String description) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("calibration image list is empty, expected at least one image");
        }
        ImagePreprocessor pre = new ImagePreprocessor(preprocessing);
        List<Path> list = List.copyOf(files);
        IntFunction<Map<String, Tensor>> one = j -> Map.of(inputName, pre.toTensor(ImagePreprocessor.read(list.get(j))));
        return new CalibrationSet(list.size(), DEFAULT_BATCH, one, list.size() + " images from " + description);
    }

    /** Image files in {@code dir}, sorted by name. */
    public static List<Path> listImages(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("calibration folder " + dir + " does not exist or is not a folder");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = new ArrayList<>(s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return Files.isRegularFile(p) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg")
                        || n.endsWith(".bmp") || n.endsWith(".gif"));
            }).toList());
            files.sort(null);
            if (files.isEmpty()) {
                throw new IllegalArgumentException("calibration folder " + dir + " holds no image (png, jpg, jpeg, bmp, gif)");
            }
            return files;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list calibration folder " + dir + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * User data for a one-input model: a folder of images (preprocessed as the bundle says), or a
     * NumPy {@code .npy} / raw float32 {@code .f32} file of samples, or a folder of such files (sorted
     * by name, concatenated). {@code .f32} files are split into samples of the input's fixed shape.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or does not fit the input
     */
    public static CalibrationSet from(Path source, List<TensorSpec> inputs, Preprocessing preprocessing) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("--calibration " + source + ": only one-input models take a data folder; this model has "
                    + inputs.stream().map(t -> t.name() + t.shape()).toList() + "; use --calibration-seeded N instead");
        }
        TensorSpec in = inputs.get(0);
        if (!Files.exists(source)) {
            throw new IllegalArgumentException("--calibration " + source + " does not exist; give a folder of images, a .npy or .f32 file, "
                    + "or a folder of them");
        }
        List<Path> tensorFiles = Files.isDirectory(source) ? listTensorFiles(source) : List.of(source);
        if (tensorFiles.isEmpty()) {
            if (preprocessing == null) {
                throw new IllegalArgumentException("--calibration " + source + ": images need an image model (one input [N,C,H,W]); "
                        + "this model's input is " + in.name() + in.shape() + "; give .npy or .f32 files instead");
            }
            return images(source, preprocessing, in.name());
        }
        long[] shape = in.shapeArray();
        long[] sample = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        List<Tensor> parts = new ArrayList<>();
        for (Path f : tensorFiles) {
            Tensor t = TensorFiles.read(f, sample);
            checkFits(f, t, in);
            parts.add(t);
        }
        Tensor all = parts.size() == 1 ? parts.get(0) : Tensor.concatBatch(parts);
        int n = (int) all.dim(0);
        IntFunction<Map<String, Tensor>> one = j -> Map.of(in.name(), all.sliceBatch(j, j + 1));
        String what = n + " samples from " + source;
        return new CalibrationSet(n, batchFor(List.of(in)), one, what);
    }

    private static void checkFits(Path f, Tensor t, TensorSpec in) {
        long[] want = in.shapeArray();
        boolean ok = t.rank() == want.length;
        for (int i = 1; ok && i < want.length; i++) {
            ok = want[i] < 0 || want[i] == t.dim(i);
        }
        if (!ok) {
            throw new IllegalArgumentException(f + ": shape " + java.util.Arrays.toString(t.shape()) + " does not fit input '"
                    + in.name() + "' " + in.shape() + " (the first axis is the sample axis)");
        }
        boolean wantInt = in.dataType().equals("int64");
        if (wantInt != (t.type() == DataType.INT64)) {
            throw new IllegalArgumentException(f + ": holds " + t.type() + " values, input '" + in.name() + "' takes " + in.dataType());
        }
    }

    /** {@code .npy} and {@code .f32} files in {@code dir}, sorted by name. */
    static List<Path> listTensorFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = new ArrayList<>(s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return Files.isRegularFile(p) && (n.endsWith(".npy") || n.endsWith(".f32"));
            }).toList());
            files.sort(null);
            return files;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Every fifth sample ({@code heldOut}) or the other four of five: the calibration/validation
     * split of one user data set, so the accuracy report never sees a calibration sample.
     */
    public CalibrationSet everyFifth(boolean heldOut) {
        if (samples < 5) {
            return this;
        }
        int count = heldOut ? samples / 5 : samples - samples / 5;
        IntFunction<Map<String, Tensor>> pick = heldOut ? j -> sample.apply(5 * j + 4) : j -> sample.apply(j + j / 4);
        return new CalibrationSet(count, batchSize, pick, count + " of the " + description
                + (heldOut ? " (held out: every fifth)" : " (four of every five; the fifth is held out)"));
    }

    /** All samples as input maps of {@code batchSize} each, e.g. for a fidelity evaluation. */
    public List<Map<String, Tensor>> toBatches() {
        List<Map<String, Tensor>> out = new ArrayList<>();
        for (int b = 0; b < batches(); b++) {
            out.add(batch(b));
        }
        return out;
    }

    /** Explicit batches, each a full input map. */
    public static CalibrationSet ofBatches(List<Map<String, Tensor>> batches, String description) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("calibration batch list is empty");
        }
        List<Map<String, Tensor>> copy = List.copyOf(batches);
        List<Map<String, Tensor>> samples = new ArrayList<>();
        for (Map<String, Tensor> b : copy) {
            int n = (int) b.values().iterator().next().dim(0);
            for (int i = 0; i < n; i++) {
                Map<String, Tensor> s = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : b.entrySet()) {
                    s.put(e.getKey(), e.getValue().sliceBatch(i, i + 1));
                }
                samples.add(s);
            }
        }
        return new CalibrationSet(samples.size(), DEFAULT_BATCH, samples::get, description);
    }

    /** The same samples in batches of {@code size}. */
    public CalibrationSet withBatchSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("calibration batch size " + size + ", expected >= 1");
        }
        return new CalibrationSet(samples, size, sample, description);
    }

    /** The first {@code count} samples. */
    public CalibrationSet limit(int count) {
        requireCount(count);
        return new CalibrationSet(Math.min(count, samples), batchSize, sample, description);
    }

    public int samples() {
        return samples;
    }

    public int batchSize() {
        return batchSize;
    }

    public int batches() {
        return (samples + batchSize - 1) / batchSize;
    }

    /** Batch {@code b}: samples {@code [b·batchSize, min(samples, (b+1)·batchSize))} concatenated. */
    public Map<String, Tensor> batch(int b) {
        if (b < 0 || b >= batches()) {
            throw new IndexOutOfBoundsException("calibration batch " + b + ", expected 0.." + (batches() - 1));
        }
        int from = b * batchSize;
        int to = Math.min(samples, from + batchSize);
        List<Map<String, Tensor>> parts = new ArrayList<>();
        for (int j = from; j < to; j++) {
            parts.add(sample.apply(j));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : parts.get(0).keySet()) {
            List<Tensor> ts = new ArrayList<>();
            parts.forEach(p -> ts.add(p.get(name)));
            out.put(name, Tensor.concatBatch(ts));
        }
        return out;
    }

    /** Samples in batch {@code b}. */
    public int batchSamples(int b) {
        return Math.min(samples, (b + 1) * batchSize) - b * batchSize;
    }

    /** What the samples are, for reports: "32 seeded inputs (seed 1)". */
    public String description() {
        return description;
    }

    /** [N, C, H, W] with H and W of at least 8: images, where smooth inputs are the common case. */
    private static boolean isImage(long[] shape) {
        return shape.length == 4 && shape[2] >= 8 && shape[3] >= 8;
    }

    /**
     * A smooth random image: a few low-frequency waves shared by the channels plus a weaker
     * per-channel part (standard deviation 0.6), on a brightness offset drawn from N(0, 0.8²).
     * Why: in white noise every patch differs, so attention averages tokens that cancel and its
     * outputs stay small; in real images neighbouring patches agree (sky, walls, backgrounds)
     * and attention outputs, attention-pooling heads most, reach two to four times that range.
     * Ranges calibrated on noise alone clip them: on the corpus' smooth test input INT8 timm
     * ViT/DeiT fell to cosine 0.983-0.986 and SigLIP to 0.92 (0.996-0.9998 with these samples).
     */
    private static float[] smoothImage(GaussianNoise r, long[] shape) {
        int per = (int) (shape[1] * shape[2] * shape[3]);
        float[] all = new float[(int) shape[0] * per];
        for (int b = 0; b < shape[0]; b++) { // a fixed batch dimension: one image per row
            System.arraycopy(smoothImage(r, (int) shape[1], (int) shape[2], (int) shape[3]), 0, all, b * per, per);
        }
        return all;
    }

    private static float[] smoothImage(GaussianNoise r, int c, int h, int w) {
        float[] v = new float[c * h * w];
        double[][] shared = waves(r);
        for (int ch = 0; ch < c; ch++) {
            double[][] own = waves(r);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    v[(ch * h + y) * w + x] = (float) (wave(shared, x / (double) w, y / (double) h)
                            + 0.5 * wave(own, x / (double) w, y / (double) h));
                }
            }
        }
        double mean = 0;
        for (float f : v) {
            mean += f;
        }
        mean /= v.length;
        double var = 0;
        for (float f : v) {
            var += (f - mean) * (f - mean);
        }
        double std = Math.sqrt(var / v.length);
        double offset = 0.8 * r.nextGaussian();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.6 * (v[i] - mean) / (std > 0 ? std : 1) + offset);
        }
        return v;
    }

    /** Four plane waves of up to two cycles per image: {amplitude, fx, fy, phase}. */
    private static double[][] waves(GaussianNoise r) {
        double[][] k = new double[4][];
        for (int i = 0; i < k.length; i++) {
            k[i] = new double[] {r.nextUniform(), 4 * r.nextUniform() - 2, 4 * r.nextUniform() - 2, 2 * Math.PI * r.nextUniform()};
        }
        return k;
    }

    private static double wave(double[][] k, double x, double y) {
        double s = 0;
        for (double[] a : k) {
            s += a[0] * Math.cos(2 * Math.PI * (a[1] * x + a[2] * y) + a[3]);
        }
        return s;
    }

    private static int batchFor(List<TensorSpec> specs) {
        for (TensorSpec s : specs) {
            long[] shape = s.shapeArray();
            if (shape.length > 0 && shape[0] > 0) {
                return 1; // a fixed batch dimension: feed one sample at a time
            }
        }
        return DEFAULT_BATCH;
    }

    private static void requireCount(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("calibration input count " + count + ", expected >= 1");
        }
    }

    @Override
    public String toString() {
        return "CalibrationSet[" + description + ", batch " + batchSize + "]";
    }
}
