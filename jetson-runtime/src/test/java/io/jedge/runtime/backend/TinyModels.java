package io.jedge.runtime.backend;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Fingerprint;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import io.jedge.sdk.diffusion.GenerationDefaults;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The tiny ONNX fixtures under {@code src/test/resources/onnx} (written by
 * {@code tools/fixtures/tiny_onnx.py}): {@code pixels} float32 [N,3,8,8] to {@code logits} [N,6]
 * through Flatten, MatMul and Add, with a plain-Java reference of the same weights; DiT- and
 * TAESD-shaped {@code denoiser-*} and {@code decoder}; {@code types}, {@code out_T = in_T + in_T}
 * for every element type a direct tensor can hold; {@code fp16}, {@code y = x W + b} all in float16 (x [N,8], y [N,4]), a
 * model converted to FP16 with its IO kept FP16, with {@link #fp16Reference} its float32 computation.
 */
public final class TinyModels {
    public static final int FEATURES = 3 * 8 * 8;
    public static final int CLASSES = 6;
    /** The linear fixtures' input. */
    public static final TensorSpec PIXELS = new TensorSpec("pixels", "float32", List.of(-1L, 3L, 8L, 8L));

    private TinyModels() {
    }

    /**
     * Copies fixture {@code a} (seed 1) or {@code b} (seed 2) into {@code dir}, or another fixture by its name
     * after {@code tiny-} ({@code denoiser-a}, {@code decoder}, ...); returns the file.
     */
    public static Path copy(String which, Path dir) {
        String name = "tiny-" + (which.length() == 1 ? "linear-" : "") + which + ".onnx";
        try (InputStream in = TinyModels.class.getResourceAsStream("/onnx/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test fixture /onnx/" + name + " is missing; run tools/fixtures/tiny_onnx.py");
            }
            Path f = dir.resolve(name);
            Files.copy(in, f);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A bundle in {@code dir} of fixture a as {@code fp32-vanilla} and fixture b as
     * {@code fp32-elfatt-sd} (batch 1..8, no figures), with the fidelity report an approximate
     * variant needs to be chosen.
     */
    public static Bundle bundle(Path dir) {
        try {
            Files.createDirectories(dir);
            Variant van = variant("fp32-vanilla", copy("a", dir), AttentionKind.VANILLA);
            Variant elf = variant("fp32-elfatt-sd", copy("b", dir), AttentionKind.ELFATT_SD);
            BundleManifest m = new BundleManifest(BundleManifest.SCHEMA_VERSION, "tiny", Task.IMAGE_CLASSIFICATION,
                    List.of(PIXELS),
                    List.of(new TensorSpec("logits", "float32", List.of(-1L, (long) CLASSES))), null, List.of(), Map.of(), List.of(van, elf),
                    List.of(new Report("fidelity", "fp32-elfatt-sd", "fp32-vanilla", "8 seeded", Map.of("cosine", 0.999), List.of(),
                            List.of())),
                    "test", "2026-12-01T00:00:00Z");
            return Bundle.write(dir, m);
        } catch (IOException | BundleException e) {
            throw new IllegalStateException("writing the tiny test bundle in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A latent-diffusion bundle in {@code dir}: the tiny denoisers as {@code fp32-vanilla} (k 0.1) and
     * {@code fp32-elfatt-sd} (k 0.2), class-conditional with null class 10 or unconditional, and the
     * tiny decoder as {@code fp32-decoder}; latents 4x8x8, images 3x64x64, pipeline defaults otherwise.
     */
    public static Bundle diffusionBundle(Path dir, boolean conditional) {
        try {
            Files.createDirectories(dir);
            Path van = copy(conditional ? "denoiser-a" : "denoiser-uncond", dir, "vanilla.onnx");
            Path elf = conditional ? copy("denoiser-b", dir, "elfatt-sd.onnx") : copy("denoiser-uncond", dir, "elfatt-sd.onnx");
            Path dec = copy("decoder", dir, "decoder.onnx");
            List<TensorSpec> in = new java.util.ArrayList<>(List.of(new TensorSpec("latents", "float32", List.of(-1L, 4L, 8L, 8L)),
                    new TensorSpec("timesteps", "float32", List.of(-1L))));
            if (conditional) {
                in.add(new TensorSpec("class_labels", "int64", List.of(-1L)));
            }
            GenerationDefaults defaults = GenerationDefaults.builder().latentSize(4, 8, 8).latentScalingFactor(1.0)
                    .nullClass(conditional ? 10L : null).build();
            BundleManifest m = new BundleManifest(BundleManifest.SCHEMA_VERSION, "tiny-dit", Task.LATENT_DIFFUSION, in,
                    List.of(new TensorSpec("noise", "float32", List.of(-1L, 4L, 8L, 8L))), null, List.of(), defaults.toPipeline(),
                    List.of(variant("fp32-vanilla", Role.DENOISER, van, AttentionKind.VANILLA),
                            variant("fp32-elfatt-sd", Role.DENOISER, elf, AttentionKind.ELFATT_SD),
                            variant("fp32-decoder", Role.DECODER, dec, AttentionKind.NONE)),
                    List.of(new Report("fidelity", "fp32-elfatt-sd", "fp32-vanilla", "8 seeded", Map.of("cosine", 0.999), List.of(),
                            List.of())),
                    "test", "2026-12-01T00:00:00Z");
            return Bundle.write(dir, m);
        } catch (IOException | BundleException e) {
            throw new IllegalStateException("writing the tiny diffusion bundle in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Path copy(String which, Path dir, String as) throws IOException {
        Path f = copy(which, dir);
        return Files.move(f, dir.resolve(as));
    }

    private static Variant variant(String id, Path file, AttentionKind attention) throws IOException, BundleException {
        return variant(id, Role.MODEL, file, attention);
    }

    private static Variant variant(String id, Role role, Path file, AttentionKind attention) throws IOException, BundleException {
        return new Variant(id, role, file.getFileName().toString(), VariantFormat.ONNX, Precision.FP32, attention, 1, 4, 8,
                Bundle.sha256(file), Files.size(file), Fingerprint.portable(), Map.of(), List.of());
    }

    public static int seed(String which) {
        return "a".equals(which) ? 1 : 2;
    }

    /** Columns of the {@code fp16} fixture's input and output. */
    public static final int FP16_IN = 8;
    public static final int FP16_OUT = 4;
    /**
     * How far the {@code fp16} fixture may answer from {@link #fp16Reference} for inputs in [-1, 1]: it rounds x and
     * y to float16 (relative 2^-11) and may compute in float16; |y| stays under 4, so y's rounding is under 2e-3, and
     * x's moves y by under sum |w| * 2^-11 = 2e-3.
     */
    public static final float FP16_TOLERANCE = 5e-3f;

    /**
     * What the {@code fp16} fixture computes for float32 {@code x} [N,8], in float32 (its weights as it stores them,
     * rounded to float16); the model itself rounds x, the products and y to float16 besides.
     */
    public static float[] fp16Reference(float[] x) {
        int n = x.length / FP16_IN;
        float[] y = new float[n * FP16_OUT];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < FP16_OUT; j++) {
                float acc = half(0.1 * (j - 1));
                for (int i = 0; i < FP16_IN; i++) {
                    acc += x[r * FP16_IN + i] * half(0.5 * Math.sin(0.5 * i + 0.3 * j));
                }
                y[r * FP16_OUT + j] = acc;
            }
        }
        return y;
    }

    /** {@code rows} rows of input for the {@code fp16} fixture, in [-1, 1], values float16 cannot hold exactly. */
    public static float[] fp16Input(int rows) {
        float[] x = new float[rows * FP16_IN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(1.7 * i + 0.123456);
        }
        return x;
    }

    private static float half(double v) {
        return Float16.toFloat(Float16.fromFloat((float) v));
    }

    /** A seeded input of {@code batch} rows ({@link SeededInputs}, seed {@code salt}). */
    public static Tensor pixels(int batch, int salt) {
        return SeededInputs.feed(List.of(PIXELS), batch, salt).get("pixels");
    }

    /** What the fixture of {@code seed} answers for {@code pixels}, computed in plain Java. */
    public static float[] reference(int seed, Tensor pixels) {
        float[] x = pixels.floats();
        int n = x.length / FEATURES;
        float[] out = new float[n * CLASSES];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < CLASSES; j++) {
                double acc = (float) (0.01 * (j - seed));
                for (int i = 0; i < FEATURES; i++) {
                    float w = (float) (Math.sin(0.1 * i + 0.7 * j + seed) * 0.05);
                    acc += (double) x[r * FEATURES + i] * w;
                }
                out[r * CLASSES + j] = (float) acc;
            }
        }
        return out;
    }
}
