package io.jedge.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.selection.DeviceContext;
import io.jedge.runtime.selection.VariantSelector;
import io.jedge.sdk.LoadOptions;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Fingerprint;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which denoiser and decoder a diffusion bundle with ONNX variants and TensorRT engines runs. */
class DiffusionSelectionTest {
    private static Variant v(String id, Role role, VariantFormat f, Precision p, AttentionKind a) {
        return new Variant(id, role, id + (f == VariantFormat.ONNX ? ".onnx" : ".plan"), f, p, a, 1, 8, 64, "0", 1000,
                Fingerprint.portable(), Map.of("tokens", "256"), List.of());
    }

    private static Report accuracy(String id, double cosine) {
        return new Report("accuracy", id, "fp32", "seeded latents", Map.of("cosine", cosine), null, null);
    }

    /** What convert --precision fp32,fp16 --engines tensorrt writes. */
    private static BundleManifest bundle(double fp16Cosine) {
        List<Variant> vs = List.of(
                v("fp32-vanilla", Role.DENOISER, VariantFormat.ONNX, Precision.FP32, AttentionKind.VANILLA),
                v("fp16-vanilla", Role.DENOISER, VariantFormat.ONNX, Precision.FP16, AttentionKind.VANILLA),
                v("fp32-decoder", Role.DECODER, VariantFormat.ONNX, Precision.FP32, AttentionKind.NONE),
                v("fp16-decoder", Role.DECODER, VariantFormat.ONNX, Precision.FP16, AttentionKind.NONE),
                v("fp32-vanilla-trt", Role.DENOISER, VariantFormat.TENSORRT_ENGINE, Precision.FP32, AttentionKind.VANILLA),
                v("fp16-vanilla-trt", Role.DENOISER, VariantFormat.TENSORRT_ENGINE, Precision.FP16, AttentionKind.VANILLA),
                v("fp32-decoder-trt", Role.DECODER, VariantFormat.TENSORRT_ENGINE, Precision.FP32, AttentionKind.NONE),
                v("fp16-decoder-trt", Role.DECODER, VariantFormat.TENSORRT_ENGINE, Precision.FP16, AttentionKind.NONE));
        List<Report> reports = List.of(accuracy("fp16-vanilla", fp16Cosine), accuracy("fp16-vanilla-trt", fp16Cosine),
                accuracy("fp16-decoder", 0.9999), accuracy("fp16-decoder-trt", 0.9999));
        return new BundleManifest(1, "dit", Task.LATENT_DIFFUSION, List.of(new TensorSpec("latents", "float32", List.of(-1L, 4L, 8L, 8L))),
                List.of(new TensorSpec("noise_pred", "float32", List.of(-1L, 8L, 8L, 8L))), null, List.of(), Map.of(), vs, reports,
                null, null);
    }

    /** ONNX runs on ONNX Runtime; engines on TensorRT only when {@code trt}. */
    private static VariantSelector selector(boolean trt) {
        return new VariantSelector(VariantSelector.resolver(
                f -> f == VariantFormat.ONNX ? Optional.of("ort-cpu") : trt ? Optional.of("tensorrt") : Optional.empty(),
                v -> Optional.empty(), f -> "TensorRT unavailable: libnvinfer not found"));
    }

    private static String chosen(VariantSelector s, BundleManifest m, DeviceContext ctx, Role role) {
        return DiffusionGenerator.select(s, m, ctx, LoadOptions.builder().build(), role, v -> v.attention() != AttentionKind.ELFATT_SD)
                .orElseThrow().chosen().variant().id();
    }

    private static final DeviceContext GPU = new DeviceContext("gpu", DeviceContext.Family.DISCRETE_GPU, null, null, 16, 64L << 30, false);
    private static final DeviceContext CPU = new DeviceContext("host", DeviceContext.Family.CPU, null, null, 2, 8L << 30, false);

    @Test
    void withTensorRtBothRolesRunAsFp16Engines() {
        BundleManifest m = bundle(0.999);
        assertEquals("fp16-vanilla-trt", chosen(selector(true), m, GPU, Role.DENOISER));
        assertEquals("fp16-decoder-trt", chosen(selector(true), m, GPU, Role.DECODER));
    }

    @Test
    void anFp32EngineBeatsItsOnnxSourceOnTheGpu() {
        BundleManifest m = bundle(0.98); // below the default floor: the FP16 engine is out
        VariantSelector.Result r = DiffusionGenerator.select(selector(true), m, GPU, LoadOptions.builder().build(), Role.DENOISER,
                v -> true).orElseThrow();
        assertEquals("fp32-vanilla-trt", r.chosen().variant().id(), r.explain());
        assertTrue(r.explain().contains("fp16-vanilla-trt: fidelity cosine 0.9800 is below the floor"), r.explain());
    }

    @Test
    void withoutTensorRtOnnxRuntimeRunsTheFp32Variants() {
        BundleManifest m = bundle(0.999);
        assertEquals("fp32-vanilla", chosen(selector(false), m, CPU, Role.DENOISER));
        assertEquals("fp32-decoder", chosen(selector(false), m, CPU, Role.DECODER));
        assertEquals("fp32-vanilla", chosen(selector(false), m, GPU, Role.DENOISER), "a GPU without TensorRT still runs ONNX");
    }

    /**
     * ToMe and ELFATT-SD+ToMe denoisers belong to the early-step group, never to the vanilla one, and like
     * ELFATT-SD they run only with a fidelity report at or above the floor.
     */
    @Test
    void tomeVariantsCompeteForTheEarlyStepsOnlyWithEvidence() {
        List<Variant> vs = List.of(
                v("fp32-vanilla", Role.DENOISER, VariantFormat.ONNX, Precision.FP32, AttentionKind.VANILLA),
                v("fp32-tome", Role.DENOISER, VariantFormat.ONNX, Precision.FP32, AttentionKind.TOME),
                v("fp32-elfatt-sd+tome", Role.DENOISER, VariantFormat.ONNX, Precision.FP32, AttentionKind.ELFATT_SD_TOME),
                v("fp32-decoder", Role.DECODER, VariantFormat.ONNX, Precision.FP32, AttentionKind.NONE));
        BundleManifest m = new BundleManifest(1, "dit", Task.LATENT_DIFFUSION, bundle(1).inputs(), bundle(1).outputs(), null,
                List.of(), Map.of(), vs, List.of(fidelity("fp32-tome", 0.995), fidelity("fp32-elfatt-sd+tome", 0.97)), null, null);
        VariantSelector.Result vanilla = DiffusionGenerator.select(selector(false), m, CPU, LoadOptions.builder().build(), Role.DENOISER,
                v -> !v.attention().trainingFree()).orElseThrow();
        assertEquals("fp32-vanilla", vanilla.chosen().variant().id());
        VariantSelector.Result fast = DiffusionGenerator.select(selector(false), m, CPU, LoadOptions.builder().build(), Role.DENOISER,
                v -> v.attention().trainingFree()).orElseThrow();
        assertEquals("fp32-tome", fast.chosen().variant().id(), fast.explain());
        assertTrue(fast.explain().contains("fp32-elfatt-sd+tome: fidelity cosine 0.9700 is below the floor"), fast.explain());
        assertEquals(AttentionKind.ELFATT_SD_TOME, AttentionKind.parse("elfatt-sd+tome"));
        assertEquals("elfatt-sd+tome", AttentionKind.ELFATT_SD_TOME.id());
    }

    private static Report fidelity(String id, double cosine) {
        return new Report("fidelity", id, "fp32-vanilla", "held-out latents", Map.of("cosine", cosine), null, null);
    }
}
