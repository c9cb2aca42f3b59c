package io.jedge.converters.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.FidelityFloor;
import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.DiffusionConverter;
import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.Safetensors;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.sdk.Jedge;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.TensorFiles;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.diffusion.DenoiserKind;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.GenerationResult;
import io.jedge.sdk.diffusion.ImageGenerator;
import io.jedge.sdk.diffusion.Progress;
import io.jedge.sdk.diffusion.SchedulerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trained digits DiT (tools/diffusion/train_dit_digits.py) converted with every training-free
 * form: the ToMe and ELFATT-SD+ToMe fidelity reports on its held-out noised latents, gated by the
 * fidelity floor, and guided generation through the app API whose latents the fixture's digit
 * classifier reads back (as the training script does: pixel shuffle, 8×8 average pool, logistic
 * regression). The decoder is a pixel shuffle built here; the figures are printed for benchmarks/.
 */
class TrainedDigitsGenerationTest {
    static final Path FIXTURE = Path.of("src/test/resources/diffusion/digits_dit");
    static final DitConfig DIGITS = new DitConfig(32, 2, 128, 4, 4, 4, 4, 10, false);
    static final List<String> FORMS = List.of("elfatt-sd", "tome", "elfatt-sd+tome");
    static final long[] EVAL_TIMESTEPS = {25, 100, 250, 400, 550, 700, 850, 975};
    /** Generated samples per class: 20 digits per variant keeps the four variants' generation near a minute on 2 cores. */
    static final int PER_CLASS = 2;

    @TempDir
    static Path tmp;
    static Bundle bundle;
    static final List<String> LOG = new ArrayList<>();

    @BeforeAll
    static void convert() throws Exception {
        ConversionOptions o = ConversionOptions.builder().batch(1, 2, 8)
                .attention(List.of("keep", "elfatt-sd", "tome", "elfatt-sd+tome"))
                .precision(PrecisionOptions.builder().calibrationDir(heldOut()).build()).build();
        bundle = new DiffusionConverter(LOG::add).convert(dit(), pixelShuffleDecoder(), tmp.resolve("digits.bundle"), o, Map.of());
        LOG.forEach(l -> System.out.println("convert: " + l));
    }

    /** Each form is written exactly when its report meets the floor; otherwise the log says it was left out and why. */
    @Test
    void tomeAndElfattSdTomeFidelityIsReportedAndGated() {
        int written = 0;
        for (String form : FORMS) {
            String id = "fp32-" + form;
            Optional<Variant> v = bundle.manifest().variant(id);
            boolean leftOut = LOG.stream().anyMatch(l -> l.startsWith(form + " left out: no block keeps"));
            assertTrue(v.isPresent() != leftOut, form + ": written " + v.isPresent() + ", left out " + leftOut + " in " + LOG);
            if (v.isEmpty()) {
                continue;
            }
            written++;
            assertEquals(AttentionKind.parse(form), v.get().attention());
            assertEquals(form, v.get().attention().id(), "the manifest names the attention kind");
            Report r = bundle.manifest().reports().stream().filter(x -> x.variant().equals(id)).findFirst().orElseThrow();
            Map<String, Double> m = r.metrics();
            assertTrue(m.get("cosine") >= FidelityFloor.DEFAULT.cosine(), form + " written below the floor: " + m);
            double min = 1;
            for (long t : EVAL_TIMESTEPS) {
                double c = m.get("noiseCosine_t" + t);
                assertTrue(c > 0 && c <= 1 + 1e-9, form + " t=" + t + ": " + c);
                min = Math.min(min, c);
            }
            assertEquals(min, m.get("noiseCosineMin"), 1e-12);
            // one floor, one reading: blocks are kept on the worst timestep, as FP16/INT8 are (on the mean, ToMe kept
            // block 1 at t=25 cosine 0.978: benchmarks/worst-step-trained-digits-cpu-2026-12-03-mean-reading.md)
            assertEquals(min, m.get("cosine"), 1e-12, form + ": the report's cosine is the worst timestep's");
            assertTrue(min >= FidelityFloor.DEFAULT.cosine(), form + " kept blocks whose worst timestep is below the floor: " + m);
            assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("cosine is the worst-timestep predicted-noise cosine")),
                    r.notes().toString());
            assertTrue(m.get("finalLatentCosine") < 1 && m.get("finalLatentMaxAbsDiff") > 0,
                    form + " is an approximation; its final latents must differ: " + m);
            assertTrue(r.inputs().contains("held-out noised latents"), r.inputs());
            if (form.contains("tome")) {
                assertEquals("0.5", v.get().attributes().get("tomeRatio"));
                assertTrue(r.notes().stream().anyMatch(n -> n.contains("tokens merged into 64 destinations")), r.notes().toString());
                assertTrue(LOG.stream().anyMatch(l -> l.startsWith(form + ": rewrote blocks")), LOG.toString());
            }
            System.out.printf(Locale.ROOT, "fidelity %-15s blocks %s  noise cosine min %.5f mean %.5f  final latents cosine %.5f"
                            + " max abs diff %.4f rel rms %.4f%n", form, v.get().attributes().getOrDefault("tomeLayers",
                            v.get().attributes().get("elfattLayers")), m.get("noiseCosineMin"), m.get("noiseCosine"),
                    m.get("finalLatentCosine"), m.get("finalLatentMaxAbsDiff"), m.get("finalLatentRelRms"));
        }
        assertTrue(written > 0, "no training-free form kept the floor on the trained DiT: " + LOG);
    }

    @Test
    void aFloorNoMergeKeepsLeavesTomeOutAndSaysWhy() throws Exception {
        List<String> log = new ArrayList<>();
        ConversionOptions o = ConversionOptions.builder().batch(1, 2, 8).attention(List.of("keep", "tome"))
                .fidelity(new FidelityFloor(0.999999, 0.99))
                .precision(PrecisionOptions.builder().calibrationDir(heldOut()).build()).build();
        Bundle b = new DiffusionConverter(log::add).convert(dit(), pixelShuffleDecoder(), tmp.resolve("strict.bundle"), o, Map.of());
        assertTrue(b.manifest().variant("fp32-tome").isEmpty(), "written below its floor");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("tome left out: no block keeps") && l.contains("--tome")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("alone") && l.contains("below the floor")), log.toString());
    }

    /**
     * Guided DDIM (25 steps, scale 4, the training script's sampler) through {@link Jedge#loadGenerator}: the
     * vanilla denoiser's digits classify as their class at least 90% of the time; every training-free variant
     * the bundle holds is run for all steps (forced by id, so the early-step switch picks it) and reports its accuracy
     * and its agreement with vanilla.
     */
    @Test
    void generatedDigitsClassifyAsTheirClass() throws Exception {
        float[] clf = TensorFiles.readNpy(FIXTURE.resolve("classifier.npy")).floats();
        Map<String, int[]> predicted = new LinkedHashMap<>();
        predicted.put("vanilla", generate(null, clf));
        for (String form : FORMS) {
            if (bundle.manifest().variant("fp32-" + form).isPresent()) {
                predicted.put(form, generate("fp32-" + form, clf));
            }
        }
        int[] vanilla = predicted.get("vanilla");
        for (Map.Entry<String, int[]> e : predicted.entrySet()) {
            int correct = 0;
            int agree = 0;
            int[] p = e.getValue();
            for (int i = 0; i < p.length; i++) {
                correct += p[i] == i / PER_CLASS ? 1 : 0;
                agree += p[i] == vanilla[i] ? 1 : 0;
            }
            double acc = (double) correct / p.length;
            System.out.printf(Locale.ROOT, "generated %-15s %d digits: classified as their class %.1f%%, same class as vanilla %.1f%%%n",
                    e.getKey(), p.length, 100 * acc, 100.0 * agree / p.length);
            if (e.getKey().equals("vanilla")) {
                assertTrue(acc >= 0.9, "vanilla guided digits classified as their class " + acc + ", expected >= 0.9");
            } else {
                assertTrue(acc >= 0 && agree <= p.length);
            }
        }
    }

    /** Class predictions of PER_CLASS digits per class; every step on {@code variant} when given, else all vanilla. */
    private static int[] generate(String variant, float[] clf) throws Exception {
        LoadOptions.Builder lb = LoadOptions.builder().threads(2).watchPower(false);
        if (variant != null) {
            lb.variant(variant);
        }
        int[] out = new int[10 * PER_CLASS];
        try (ImageGenerator g = Jedge.loadGenerator(bundle.dir(), lb.build())) {
            if (variant != null) {
                assertEquals(variant, g.selections().get(1).variantId(), "the early-step denoiser is the forced variant");
            }
            for (int c = 0; c < 10; c++) {
                GenerationOptions o = g.options().classLabel(c).batchSize(PER_CLASS).steps(25).guidanceScale(4).seed(100 + c)
                        .scheduler(SchedulerKind.DDIM).elfattFraction(variant != null ? 1.0 : 0.0).build();
                List<Progress> steps = new CopyOnWriteArrayList<>();
                GenerationResult r = g.generateAsync(o, steps::add).join();
                DenoiserKind expected = variant != null ? DenoiserKind.ELFATT_SD : DenoiserKind.VANILLA;
                assertTrue(steps.stream().allMatch(s -> s.denoiser() == expected), "every step on " + expected);
                float[] z = r.latents().floats();
                for (int i = 0; i < PER_CLASS; i++) {
                    out[c * PER_CLASS + i] = classify(z, i, clf);
                }
            }
        }
        return out;
    }

    /** The training script's check: pixel shuffle to 64×64, clamp, 8×8 average pool, (x + 1)·8, logistic regression [10, 65]. */
    static int classify(float[] latents, int row, float[] clf) {
        int side = 32;
        float[] img8 = new float[64];
        int base = row * 4 * side * side;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                float v = latents[base + ((y % 2) * 2 + x % 2) * side * side + (y / 2) * side + x / 2];
                img8[(y / 8) * 8 + x / 8] += Math.max(-1f, Math.min(1f, v)) / 64f;
            }
        }
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < 10; k++) {
            double s = clf[k * 65 + 64];
            for (int f = 0; f < 64; f++) {
                s += clf[k * 65 + f] * (img8[f] + 1.0) * 8.0;
            }
            if (s > bestScore) {
                bestScore = s;
                best = k;
            }
        }
        return best;
    }

    private static Path heldOut() throws Exception {
        return heldOut(tmp.resolve("cal"));
    }

    /** The fixture's 64 held-out noised latents as a {@code --calibration DIR} at {@code d} (copied once). */
    static Path heldOut(Path d) throws Exception {
        if (!Files.exists(d)) {
            Files.createDirectories(d);
            Files.copy(FIXTURE.resolve("eval_latents.npy"), d.resolve("latents.npy"));
            Files.copy(FIXTURE.resolve("eval_timesteps.npy"), d.resolve("timesteps.npy"));
            Files.copy(FIXTURE.resolve("eval_labels.npy"), d.resolve("labels.npy"));
        }
        return d;
    }

    private static Path dit() {
        Path p = tmp.resolve("digits-dit.onnx");
        if (!Files.exists(p)) {
            DitBuilder.build(DIGITS, Safetensors.open(FIXTURE.resolve("dit.safetensors"))).save(p);
        }
        return p;
    }

    /** The training script's decoder: pixel shuffle by 2 (DepthToSpace CRD), 4×32×32 → 1×64×64, repeated to 3 channels. */
    private static Path pixelShuffleDecoder() {
        return pixelShuffleDecoder(tmp.resolve("pixel-shuffle.onnx"));
    }

    /** The training script's decoder at {@code p} (written once): pixel shuffle by 2, repeated to 3 channels. */
    static Path pixelShuffleDecoder(Path p) {
        if (!Files.exists(p)) {
            Graph g = new Graph("pixel_shuffle", null);
            GraphBuilder b = new GraphBuilder(g);
            String z = b.input("latents", TensorData.FLOAT, new long[] {-1, 4, 32, 32}, "batch");
            String img = b.node("DepthToSpace", z).set("blocksize", 2L).set("mode", "CRD").output(0);
            b.output(b.concat(1, img, img, img), "image", TensorData.FLOAT, new long[] {-1, 3, 64, 64}, "batch");
            new OnnxModel(8, Map.of("", 17L), g).save(p);
        }
        return p;
    }
}
