package io.jedge.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.TinyModels;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatcherOpenLoopTest {
    @TempDir
    Path dir;

    @Test
    void openLoopRatesAreCheckedWithThePlan() {
        BatcherBench.Plan base = BatcherBench.Plan.of(4, null, 5, 2);
        assertEquals("openLoopRates: 0.0, expected requests per second in (0, 1000000]",
                assertThrows(BenchOptionException.class, () -> base.withOpenLoop(List.of(10.0, 0.0))).getMessage());
        assertEquals("openLoopRates", assertThrows(BenchOptionException.class, () -> base.withOpenLoop(List.of(-5.0))).parameter());
        assertEquals("openLoopRates: 900000.0, expected at most 1000000 requests in 2.0 s; lower the rate or the seconds",
                assertThrows(BenchOptionException.class, () -> base.withOpenLoop(List.of(900_000.0))).getMessage());
        List<Double> many = new ArrayList<>();
        for (int i = 1; i <= 33; i++) {
            many.add((double) i);
        }
        assertEquals("openLoopRates: 33 rates, expected at most 32",
                assertThrows(BenchOptionException.class, () -> base.withOpenLoop(many)).getMessage());
        assertEquals("openLoopRates: [10.0, null], expected rates without null", assertThrows(BenchOptionException.class,
                () -> base.withOpenLoop(java.util.Arrays.asList(10.0, null))).getMessage());
        assertTrue(base.withOpenLoop(List.of(50.0)).isOpenLoop());
        assertTrue(!base.isOpenLoop());
    }

    @Test
    void eachModeRefusesThePlanOfTheOther() {
        InferenceSession s = new SlowSession(0);
        Map<String, Tensor> row = Map.of("x", Tensor.zeros(1, 1));
        BatcherBench.Plan closed = BatcherBench.Plan.of(4, null, 1, 0.1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BatcherBench.openLoop(s, row, closed, l -> { }))
                .getMessage().contains("no open-loop rates"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BatcherBench.run(s, row, closed.withOpenLoop(List.of(10.0)), l -> { })).getMessage().contains("openLoop"));
    }

    @Test
    void aLoadWellBelowCapacityIsAnsweredInFullWithOrderedPercentiles() throws Exception {
        try (InferenceSession s = new OrtBackend().open(TinyModels.copy("a", dir), SessionOptions.builder().threads(1).build())) {
            BatcherBench.Plan plan = BatcherBench.Plan.of(4, null, 5, 0.5).withOpenLoop(List.of(40.0, 160.0));
            List<String> lines = new ArrayList<>();
            List<BatcherBench.LoadPoint> points = BatcherBench.openLoop(s, Map.of("pixels", TinyModels.pixels(1, 3)), plan, lines::add);
            assertEquals(2, points.size());
            assertTrue(lines.get(0).startsWith("hand-made full batches of 4: "), lines.get(0));
            for (BatcherBench.LoadPoint p : points) {
                String what = p.toString();
                // 20 and 80 expected arrivals: a Poisson count this far off would be a broken generator
                assertTrue(p.arrivals() > p.offeredPerSec() * 0.5 * 0.4 && p.arrivals() < p.offeredPerSec() * 0.5 * 1.8, what);
                assertEquals(0, p.rejected(), what);
                assertEquals(0, p.lost(), what);
                double perSecond = p.arrivals() / 0.5;
                assertTrue(p.answeredPerSec() <= perSecond * 1.001 && p.answeredPerSec() > perSecond * 0.5, "all answered: " + what);
                assertTrue(p.p50Ms() > 0 && p.p50Ms() <= p.p90Ms() && p.p90Ms() <= p.p99Ms(), what);
                assertTrue(p.meanBatch() >= 1 && p.meanBatch() <= 4, what);
            }
            assertTrue(lines.get(1).startsWith("open loop 40.0 req/s: "), lines.get(1));
            String result = BatcherBench.openLoopResultLine("v", "ort-cpu", 4, points.get(1));
            assertTrue(result.startsWith("RESULT batcher-open-loop variant=v backend=ort-cpu max_batch=4 offered=160.0 arrivals=")
                    && result.contains(" rejected=0 lost=0"), result);
        }
    }

    @Test
    void aLoadAboveCapacityShowsAsRejectedRequestsNotAStall() throws Exception {
        // 64 rows per 5 ms batch: about 12,800 rows/s; offered 200,000/s for 0.1 s fills the batcher's 1024-request queue
        InferenceSession s = new SlowSession(5);
        BatcherBench.Plan plan = BatcherBench.Plan.of(64, null, 5, 0.1).withOpenLoop(List.of(200_000.0));
        long t0 = System.nanoTime();
        BatcherBench.LoadPoint p = BatcherBench.openLoop(s, Map.of("x", Tensor.zeros(1, 1)), plan, l -> { }).get(0);
        assertTrue(p.rejected() > 0 && p.rejected() < p.arrivals(), p.toString());
        assertEquals(0, p.lost(), p.toString());
        assertTrue(p.answeredPerSec() < 200_000, p.toString());
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "the queue drained; nothing waited on a stalled generator");
    }

    @Test
    void asyncClientsAnswerEveryRequestFromCallbacksAndAreRefusedWithTheOpenLoop() throws Exception {
        BatcherBench.Plan plan = BatcherBench.Plan.of(4, 8, 2, 0.05).withAsyncClients(true);
        assertEquals("asyncClients: true, expected the closed loop only (open-loop requests never wait for answers)",
                assertThrows(BenchOptionException.class, () -> plan.withOpenLoop(List.of(10.0))).getMessage());
        List<String> lines = new ArrayList<>();
        BatcherBench.Result r = BatcherBench.run(new SlowSession(1), Map.of("x", Tensor.zeros(1, 1)), plan, lines::add);
        assertEquals(2, r.rounds().size(), lines.toString());
        assertTrue(r.asyncClients());
        for (BatcherBench.Round round : r.rounds()) {
            assertEquals(0, round.lost(), lines.toString());
            assertTrue(round.batcherRowsPerSec() > 0 && round.meanBatch() > 1, "8 clients fill batches of 4: " + lines);
        }
        assertTrue(BatcherBench.resultLine("v", "slow", r).contains(" clients=8 clients_mode=async rounds=2 "),
                BatcherBench.resultLine("v", "slow", r));
    }

    /** A batch function taking {@code millis} per call, whatever the batch: a fixed capacity. */
    private record SlowSession(long millis) implements InferenceSession {
        @Override
        public String backendName() {
            return "slow";
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of(new TensorSpec("x", "float32", List.of(-1L, 1L)));
        }

        @Override
        public List<TensorSpec> outputs() {
            return List.of(new TensorSpec("y", "float32", List.of(-1L, 1L)));
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> outputNames) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Map.of("y", Tensor.zeros(inputs.get("x").dim(0), 1));
        }

        @Override
        public void close() {
        }
    }
}
