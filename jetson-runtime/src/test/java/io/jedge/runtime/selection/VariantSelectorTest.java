package io.jedge.runtime.selection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.model.Environment;
import io.jedge.sdk.Goal;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Figure;
import io.jedge.sdk.bundle.Fingerprint;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VariantSelectorTest {
    static final VariantSelector.BackendResolver ALL = VariantSelector.ASSUME_RUNNABLE;

    static Variant v(String id, VariantFormat f, Precision p, AttentionKind a, List<Figure> figs) {
        return new Variant(id, Role.MODEL, id + ".bin", f, p, a, 1, 8, 32, "0", 1000, Fingerprint.portable(),
                Map.of("tokens", "4096"), figs);
    }

    static BundleManifest bundle(List<Variant> vs, List<Report> reports) {
        return new BundleManifest(1, "m", Task.IMAGE_CLASSIFICATION, List.of(new TensorSpec("x", "float32", List.of(-1L, 3L))),
                List.of(new TensorSpec("y", "float32", List.of(-1L, 10L))), null, List.of(), Map.of(), vs, reports, null, null);
    }

    /** An accuracy report at cosine 0.999 for every non-FP32 variant: what convert writes. */
    static List<Report> measured(List<Variant> vs) {
        return vs.stream().filter(x -> x.precision() != Precision.FP32)
                .map(x -> new Report("accuracy", x.id(), "fp32", "16 seeded", Map.of("cosine", 0.999), null, null)).toList();
    }

    static Figure fig(String device, String mode, String backend, int batch, double p50, double tput) {
        return new Figure(device, mode, backend, 0, batch, p50, p50 * 1.1, tput, null, null, "2026-12-01T00:00:00Z", false);
    }

    static SelectionRequest req(Goal g) {
        return new SelectionRequest(Role.MODEL, g, Precision.INT8, null, "auto", null, 0);
    }

    final List<Variant> engines = List.of(
            v("fp32-trt", VariantFormat.TENSORRT_ENGINE, Precision.FP32, AttentionKind.VANILLA, List.of()),
            v("fp16-trt", VariantFormat.TENSORRT_ENGINE, Precision.FP16, AttentionKind.VANILLA, List.of()));

    @Test
    void jetsonNanoPrefersFp32OverMixedPrecisionFromPriors() {
        DeviceContext nano = Environment.simulate("jetson-nano:MAXN").current();
        VariantSelector.Result r = new VariantSelector(ALL).select(bundle(engines, measured(engines)), nano, req(Goal.LATENCY), Map.of());
        assertEquals("fp32-trt", r.chosen().variant().id(), r.explain());
        assertEquals("prior", r.chosen().source());
        assertTrue(r.toSelection().simulated());
        DeviceContext orin = Environment.simulate("orin-nano-8gb:15W").current();
        assertEquals("fp16-trt", new VariantSelector(ALL).select(bundle(engines, measured(engines)), orin, req(Goal.LATENCY), Map.of())
                .chosen().variant().id());
    }

    @Test
    void measuredFiguresOnThisModeBeatPriors() {
        DeviceContext orin = Environment.simulate("orin-nano-8gb:7W").current();
        List<Variant> vs = List.of(
                v("fp32-trt", VariantFormat.TENSORRT_ENGINE, Precision.FP32, AttentionKind.VANILLA,
                        List.of(fig("orin-nano-8gb", "7W", "tensorrt", 1, 4.0, 250))),
                v("fp16-trt", VariantFormat.TENSORRT_ENGINE, Precision.FP16, AttentionKind.VANILLA,
                        List.of(fig("orin-nano-8gb", "7W", "tensorrt", 1, 5.0, 200), fig("orin-nano-8gb", "15W", "tensorrt", 1, 1.0, 900))));
        VariantSelector.Result r = new VariantSelector(ALL).select(bundle(vs, measured(vs)), orin, req(Goal.LATENCY), Map.of());
        assertEquals("fp32-trt", r.chosen().variant().id(), "the 15W figure must not count at 7W: " + r.explain());
        assertEquals("measured", r.chosen().source());
        DeviceContext orin15 = Environment.simulate("orin-nano-8gb:15W").current();
        assertEquals("fp16-trt", new VariantSelector(ALL).select(bundle(vs, measured(vs)), orin15, req(Goal.LATENCY), Map.of())
                .chosen().variant().id());
    }

    @Test
    void throughputGoalPicksTheBestBatch() {
        DeviceContext host = new DeviceContext("host:x", DeviceContext.Family.CPU, null, null, 2, 0, false);
        List<Variant> vs = List.of(v("fp32", VariantFormat.ONNX, Precision.FP32, AttentionKind.VANILLA,
                List.of(fig("host:x", null, "ort-cpu", 1, 10, 100), fig("host:x", null, "ort-cpu", 8, 50, 160))),
                v("int8", VariantFormat.ONNX, Precision.INT8, AttentionKind.VANILLA,
                        List.of(fig("host:x", null, "ort-cpu", 1, 6, 166), fig("host:x", null, "ort-cpu", 8, 30, 266))));
        VariantSelector.Result r = new VariantSelector(ALL).select(bundle(vs, measured(vs)), host, req(Goal.THROUGHPUT), Map.of());
        assertEquals("int8", r.chosen().variant().id());
        assertEquals(8, r.chosen().batch());
        SelectionRequest fp32Only = new SelectionRequest(Role.MODEL, Goal.THROUGHPUT, Precision.FP32, null, "auto", null, 0);
        VariantSelector.Result f = new VariantSelector(ALL).select(bundle(vs, List.of()), host, fp32Only, Map.of());
        assertEquals("fp32", f.chosen().variant().id());
        assertTrue(f.explain().contains("below the floor"), f.explain());
    }

    @Test
    void fidelityMemoryAndForcedChoices() {
        DeviceContext small = new DeviceContext("host:x", DeviceContext.Family.CPU, null, null, 2, 2500, false);
        List<Variant> vs = new ArrayList<>(List.of(
                v("fp32-vanilla", VariantFormat.ONNX, Precision.FP32, AttentionKind.VANILLA, List.of()),
                v("fp32-elfatt", VariantFormat.ONNX, Precision.FP32, AttentionKind.ELFATT_SD, List.of())));
        List<Report> rep = List.of(new Report("fidelity", "fp32-elfatt", "fp32-vanilla", "8 seeded", Map.of("cosine", 0.995), null, null));
        DeviceContext roomy = new DeviceContext("host:x", DeviceContext.Family.CPU, null, null, 2, 1L << 30, false);
        assertEquals("fp32-elfatt", new VariantSelector(ALL).select(bundle(vs, rep), roomy, req(Goal.LATENCY), Map.of())
                .chosen().variant().id(), "ELFATT prior wins at 4096 tokens");
        SelectionRequest strict = new SelectionRequest(Role.MODEL, Goal.LATENCY, Precision.INT8, 0.999, "auto", null, 0);
        VariantSelector.Result r = new VariantSelector(ALL).select(bundle(vs, rep), roomy, strict, Map.of());
        assertEquals("fp32-vanilla", r.chosen().variant().id());
        assertTrue(r.explain().contains("fidelity cosine 0.9950 is below the floor 0.9990"), r.explain());
        NoVariantException e = assertThrows(NoVariantException.class,
                () -> new VariantSelector(ALL).select(bundle(vs, rep), small, req(Goal.LATENCY), Map.of()));
        assertTrue(e.getMessage().contains("MiB available"), e.getMessage());
        assertTrue(e.getMessage().contains(": fp32-vanilla: needs about") && e.getMessage().contains("; fp32-elfatt: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line, each variant's reason after the other: " + e.getMessage());
        assertEquals(io.jedge.sdk.JedgeException.Code.NO_SUITABLE_VARIANT, e.code());
        io.jedge.sdk.JedgeException typo = assertThrows(io.jedge.sdk.JedgeException.class,
                () -> VariantSelector.requireKnownVariant(bundle(vs, rep), "nope"));
        assertEquals(io.jedge.sdk.JedgeException.Code.INVALID_INPUT, typo.code(), "a typo is the caller's mistake (exit 2)");
        assertTrue(typo.getMessage().matches("variant 'nope' is not in bundle '.*'; its variants are fp32-vanilla, fp32-elfatt"),
                typo.getMessage());
        VariantSelector.requireKnownVariant(bundle(vs, rep), "fp32-elfatt");
        VariantSelector.requireKnownVariant(bundle(vs, rep), null);
        SelectionRequest forced = new SelectionRequest(Role.MODEL, Goal.LATENCY, Precision.INT8, null, "auto", "fp32-vanilla", 0);
        assertEquals("forced", new VariantSelector(ALL).select(bundle(vs, rep), roomy, forced, Map.of()).chosen().source());
    }

    @Test
    void approximateVariantsNeedAReportAtTheFloor() {
        DeviceContext host = new DeviceContext("host:x", DeviceContext.Family.CPU, null, null, 2, 1L << 30, false);
        List<Variant> vs = List.of(v("fp32", VariantFormat.ONNX, Precision.FP32, AttentionKind.VANILLA, List.of()),
                v("int8", VariantFormat.ONNX, Precision.INT8, AttentionKind.VANILLA, List.of()));
        VariantSelector.Result none = new VariantSelector(ALL).select(bundle(vs, List.of()), host, req(Goal.LATENCY), Map.of());
        assertEquals("fp32", none.chosen().variant().id(), "INT8 without a report is never chosen: " + none.explain());
        assertTrue(none.explain().contains("carries no fidelity or accuracy report"), none.explain());
        List<Report> low = List.of(new Report("accuracy", "int8", "fp32", "16 seeded", Map.of("cosine", 0.98), null, null));
        VariantSelector.Result below = new VariantSelector(ALL).select(bundle(vs, low), host, req(Goal.LATENCY), Map.of());
        assertEquals("fp32", below.chosen().variant().id(), "the default floor is 0.99: " + below.explain());
        SelectionRequest lenient = new SelectionRequest(Role.MODEL, Goal.LATENCY, Precision.INT8, 0.95, "auto", null, 0);
        assertEquals("int8", new VariantSelector(ALL).select(bundle(vs, low), host, lenient, Map.of()).chosen().variant().id(),
                "a caller's lower floor admits it");
    }

    @Test
    void elfattIsRatedBelowVanillaAtShortSequences() {
        DeviceContext host = new DeviceContext("host:x", DeviceContext.Family.CPU, null, null, 2, 1L << 30, false);
        Variant vanilla = v("fp32-vanilla", VariantFormat.ONNX, Precision.FP32, AttentionKind.VANILLA, List.of());
        List<Report> rep = List.of(new Report("fidelity", "fp32-elfatt", "fp32-vanilla", "8 seeded", Map.of("cosine", 0.999), null, null));
        for (String tokens : List.of("197", "300")) { // both under the CPU crossover (0.92x at 197, 1.30x at 1025)
            Variant short_ = new Variant("fp32-elfatt", Role.MODEL, "e.onnx", VariantFormat.ONNX, Precision.FP32, AttentionKind.ELFATT_SD,
                    1, 8, 32, "0", 1000, Fingerprint.portable(), Map.of("tokens", tokens), List.of());
            VariantSelector.Result r = new VariantSelector(ALL).select(bundle(List.of(vanilla, short_), rep), host, req(Goal.LATENCY), Map.of());
            assertEquals("fp32-vanilla", r.chosen().variant().id(), tokens + " tokens: " + r.explain());
        }
        assertTrue(VariantSelector.attentionPrior(v("e", VariantFormat.ONNX, Precision.FP32, AttentionKind.ELFATT_SD, List.of()), "onnxruntime") > 1,
                "at 4096 tokens ELFATT is rated faster");
        assertTrue(VariantSelector.attentionPrior(v("e", VariantFormat.ONNX, Precision.FP32, AttentionKind.ELFATT_SD, List.of()), "tensorrt") > 1,
                "at 4096 tokens ELFATT is rated faster on TensorRT too");
    }

    @Test
    void elfattCrossoverIsPerBackend() {
        Variant at1025 = new Variant("fp16-elfatt", Role.MODEL, "e.onnx", VariantFormat.ONNX, Precision.FP32, AttentionKind.ELFATT,
                1, 8, 32, "0", 1000, Fingerprint.portable(), Map.of("tokens", "1025"), List.of());
        // measured 0.84x vanilla at 1025 tokens on TensorRT FP16 (the lower of two runs), 1.30x on ONNX Runtime CPU
        assertEquals(0.84, VariantSelector.attentionPrior(at1025, "tensorrt"), 1e-9, "TensorRT at 1025 tokens");
        assertEquals(1.30, VariantSelector.attentionPrior(at1025, "ort-cpu"), 1e-9, "ONNX Runtime CPU at 1025 tokens");
    }

    @Test
    void crossoverTableInterpolatesAndExplains() {
        // between measurements the ratio is linear in tokens; beyond them the nearest holds
        assertEquals((0.84 + 4.48) / 2, AttentionCrossover.ratio("tensorrt", (1025 + 4097) / 2), 1e-9);
        assertEquals(0.76, AttentionCrossover.ratio("tensorrt", 0), 1e-9, "an unknown length counts as short");
        assertEquals(4.48, AttentionCrossover.ratio("tensorrt", 16384), 1e-9);
        int trt = AttentionCrossover.crossoverTokens("tensorrt");
        assertEquals(1161, trt, "0.84x at 1025 to 4.48x at 4097 crosses 1 at 1160.03");
        assertTrue(AttentionCrossover.elfattWins("tensorrt", trt) && !AttentionCrossover.elfattWins("tensorrt", trt - 1));
        int cpu = AttentionCrossover.crossoverTokens("ort-cpu");
        assertEquals(372, cpu, "0.92x at 197 to 1.30x at 1025 crosses 1 at 371.3");
        String why = AttentionCrossover.whyNotDefault("tensorrt", 197);
        assertTrue(why.contains("197 tokens") && why.contains("0.76x") && why.contains("TensorRT") && why.contains("from " + trt + " tokens"), why);
        assertEquals("", AttentionCrossover.whyNotDefault("ort-cpu", 4097));
    }

    @Test
    void converterNoteIsShownInTheExplanation() {
        DeviceContext host = new DeviceContext("host:x", DeviceContext.Family.CPU, null, null, 2, 1L << 30, false);
        Variant vanilla = v("fp32-vanilla", VariantFormat.ONNX, Precision.FP32, AttentionKind.VANILLA, List.of());
        Variant elfatt = new Variant("fp32-elfatt", Role.MODEL, "e.onnx", VariantFormat.ONNX, Precision.FP32, AttentionKind.ELFATT,
                1, 8, 32, "0", 1000, Fingerprint.portable(), Map.of("tokens", "197", "notDefault", "slower here"), List.of());
        VariantSelector.Result r = new VariantSelector(ALL).select(bundle(List.of(elfatt, vanilla), List.of()), host, req(Goal.LATENCY), Map.of());
        assertEquals("fp32-vanilla", r.chosen().variant().id(), r.explain());
        assertTrue(r.explain().contains("converter: slower here"), r.explain());
    }

    @Test
    void simulationRejectsUnknownModulesAndModes() {
        assertThrows(IllegalArgumentException.class, () -> Environment.simulate("orin-nano-8gb:3W"));
        assertThrows(IllegalArgumentException.class, () -> Environment.simulate("tx2:15W"));
        DeviceContext c = Environment.simulate("agx-orin-64gb:MAXN").current();
        assertEquals(DeviceContext.Family.JETSON_ORIN, c.family());
        assertTrue(c.simulated());
    }

    @Test
    void selectionRequestRefusesBadValuesInItsConstructor() {
        IllegalArgumentException fid = assertThrows(IllegalArgumentException.class,
                () -> new SelectionRequest(Role.MODEL, Goal.LATENCY, Precision.INT8, 1.5, "auto", null, 0));
        assertEquals("minFidelity 1.5, expected a cosine in (0, 1]", fid.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> new SelectionRequest(Role.MODEL, Goal.LATENCY, Precision.INT8, null, "auto", null, -1));
        assertTrue(batch.getMessage().contains("maxBatch -1"), batch.getMessage());
        IllegalArgumentException role = assertThrows(IllegalArgumentException.class,
                () -> new SelectionRequest(null, Goal.LATENCY, Precision.INT8, null, "auto", null, 0));
        assertTrue(role.getMessage().contains("role=null"), role.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SelectionRequest(Role.MODEL, Goal.LATENCY, Precision.INT8, null, null, null, 0));
    }
}
