package io.jedge.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.TinyModels;
import io.jedge.runtime.model.SimulatedEnvironment;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Figure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What BundleBench does with its options; it measures nothing worth reading (the figures are not asserted). */
class BundleBenchTest {
    @TempDir
    Path tmp;

    final DeviceContext orin = SimulatedEnvironment.of("orin-nano-8gb:15W").current();

    @Test
    void optionsRefuseBadValuesBeforeAnythingRuns() {
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> BundleBenchOptions.builder(orin).batches(List.of(1, 0)).build());
        assertEquals("batches: 0, expected 1 to 4096", batch.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BundleBenchOptions.builder(orin).batches(List.of()).build())
                .getMessage().contains("batches: none given"));
        assertEquals("seconds: 0.0, expected a number of seconds in (0, 3600]", assertThrows(IllegalArgumentException.class,
                () -> new BundleBenchOptions(null, List.of(1), 0, 0, orin, false, BundleBench.NO_POWER, BundleBench.Tuning.DEFAULT)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new BundleBenchOptions(null, List.of(1), 1, 2000, orin, false, BundleBench.NO_POWER, BundleBench.Tuning.DEFAULT)).getMessage().contains("threads: 2000"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new BundleBenchOptions(null, List.of(1), 1, 0, orin, false, null, BundleBench.Tuning.DEFAULT)).getMessage().contains("NO_POWER"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BundleBenchOptions.builder(null).build())
                .getMessage().startsWith("device context must not be null"));
        assertEquals("tuning io: none given, expected at least one IO path to time (HEAP, DIRECT)",
                assertThrows(IllegalArgumentException.class, () -> new BundleBench.Tuning(List.of(), false)).getMessage());
        assertEquals("tuning io: [HEAP, null], expected IO paths without null", assertThrows(IllegalArgumentException.class,
                () -> new BundleBench.Tuning(java.util.Arrays.asList(LatencyBench.Io.HEAP, null), false)).getMessage());
    }

    @Test
    void optionErrorsNameTheParameterAndCanBeRenamedToAFrontEndsFlag() {
        BenchOptionException e = assertThrows(BenchOptionException.class, () -> BundleBenchOptions.check(List.of(1, 0), 1, 0));
        assertEquals("batches", e.parameter());
        IllegalArgumentException flag = e.renamed("--batch");
        assertEquals("--batch 0, expected 1 to 4096", flag.getMessage());
        assertSame(e, flag.getCause());
        assertEquals("clients", assertThrows(BenchOptionException.class, () -> BatcherBench.Plan.of(4, 2000, 5, 1)).parameter());
    }

    @Test
    void batcherPlanRefusesBadValuesInItsConstructor() {
        assertEquals("maxBatch: 1, expected a maximum batch of 2 to 4096",
                assertThrows(IllegalArgumentException.class, () -> BatcherBench.Plan.of(1, null, 5, 1)).getMessage());
        assertEquals("clients: 0, expected 1 to 1024",
                assertThrows(IllegalArgumentException.class, () -> BatcherBench.Plan.of(4, 0, 5, 1)).getMessage());
        assertEquals("rounds: 101, expected 1 to 100",
                assertThrows(IllegalArgumentException.class, () -> BatcherBench.Plan.of(4, null, 101, 1)).getMessage());
        assertEquals("seconds: NaN, expected a number of seconds in (0, 3600]",
                assertThrows(IllegalArgumentException.class, () -> BatcherBench.Plan.of(4, null, 5, Double.NaN)).getMessage());
        assertEquals("maxDelay: PT-0.001S, expected a duration of 0 or more", assertThrows(IllegalArgumentException.class,
                () -> new BatcherBench.Plan(4, java.time.Duration.ofMillis(-1), 8, 5, 1, List.of(), false)).getMessage());
        assertEquals(8, BatcherBench.Plan.of(4, null, 5, 1).clients(), "twice the maximum batch by default");
        assertEquals(1024, BatcherBench.Plan.of(4096, null, 5, 1).clients(), "capped");
    }

    @Test
    void measuresChosenVariantsAndBatchesAndRecordsFiguresForTheDevice() throws Exception {
        Bundle b = TinyModels.bundle(tmp.resolve("b"));
        List<String> lines = new ArrayList<>();
        BundleBench.Outcome o = BundleBench.run(b, BundleBenchOptions.builder(orin).variants(List.of("fp32-elfatt-sd"))
                .batches(List.of(1, 2, 16)).seconds(0.05).threads(1).build(), lines::add);
        assertEquals(List.of("fp32-elfatt-sd/1", "fp32-elfatt-sd/2"), o.rows().stream().map(r -> r.variant() + "/" + r.batch()).toList());
        assertEquals(List.of("skip fp32-elfatt-sd batch 16: outside its range 1..8"), o.skipped());
        assertEquals(5, lines.size(), String.join("\n", lines)); // a row and its split line per batch, and the skip
        List<Figure> figures = Bundle.load(b.dir()).manifest().variant("fp32-elfatt-sd").orElseThrow().figures();
        assertEquals(2, figures.size());
        assertTrue(figures.stream().allMatch(f -> f.device().equals("orin-nano-8gb") && "15W".equals(f.powerMode()) && f.simulated()),
                figures.toString());
        assertEquals(List.of(), Bundle.load(b.dir()).manifest().variant("fp32-vanilla").orElseThrow().figures(), "not chosen, not measured");

        BundleBench.Outcome unrecorded = BundleBench.run(b, BundleBenchOptions.builder(orin).seconds(0.05).record(false).build(), l -> { });
        assertEquals(2, unrecorded.rows().size(), "every variant at batch 1");
        assertEquals(2, Bundle.load(b.dir()).manifest().variant("fp32-elfatt-sd").orElseThrow().figures().size(), "record(false) writes nothing");
    }
}
