package io.jedge.cli;

import static io.jedge.cli.JedgeCliTest.jedge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.cli.JedgeCliTest.Result;
import io.jedge.sdk.bundle.Bundle;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench's percentiles, IO paths and stage split, on ONNX Runtime CPU. */
class BenchSplitTest {
    @TempDir
    Path tmp;

    @Test
    void benchTimesHeapAndDirectPathsAndSaysTheSplitIsNotAvailableOnTheCpu() throws Exception {
        Path model = tmp.resolve("vit.onnx");
        assertEquals(0, jedge("build-model", "vit", "--preset", "micro", "--image-size", "32", "--patch", "8", "--dim", "32",
                "--heads", "2", "--depth", "1", "--classes", "10", "--seed", "5", "-o", model.toString()).code());
        Path bundle = tmp.resolve("b");
        Result c = jedge("convert", model.toString(), "-o", bundle.toString(), "--batch", "1:4:16", "--precision", "fp32",
                "--attention", "keep");
        assertEquals(0, c.code(), c.err());
        Result r = jedge("bench", bundle.toString(), "--batch", "2", "--seconds", "0.1", "--io", "heap,direct");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(" heap ") && r.out().contains(" direct "), r.out());
        assertTrue(r.out().contains("p90") && r.out().contains("p99"), r.out());
        assertTrue(r.out().contains("split: not available on ort-cpu"), r.out());
        assertTrue(!r.out().contains("h2d 0.000"), "no zeros standing in for a split: " + r.out());
        assertEquals(1, Bundle.load(bundle).manifest().variants().get(0).figures().size(), "figures of the first path only");

        Result bad = jedge("bench", bundle.toString(), "--io", "gpu");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--io gpu, expected heap, direct or heap,direct"), bad.err());
        Result graphs = jedge("bench", bundle.toString(), "--batch", "1", "--seconds", "0.1", "--cuda-graphs", "--no-record");
        assertTrue(graphs.out().contains("CUDA graphs apply to TensorRT engines only"), graphs.out() + graphs.err());

        Result b = jedge("bench", bundle.toString(), "--batcher", "4", "--rounds", "2", "--seconds", "0.05");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("round 1: hand-made") && b.out().contains("round 2: "), b.out());
        String result = b.out().lines().filter(l -> l.startsWith("RESULT batcher")).findFirst().orElseThrow();
        assertTrue(result.contains("max_batch=4 clients=8 rounds=2") && result.contains(" lost=0 "), result);
        Result mixed = jedge("bench", bundle.toString(), "--batcher", "4", "--batch", "8");
        assertEquals(2, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("--batcher measures the heap path"), mixed.err());
        Result unrecorded = jedge("bench", bundle.toString(), "--batcher", "4", "--no-record");
        assertEquals(2, unrecorded.code(), "--no-record would be ignored: the batcher records nothing");
        assertTrue(unrecorded.err().contains("--no-record"), unrecorded.err());
        Result stray = jedge("bench", bundle.toString(), "--clients", "3");
        assertEquals(2, stray.code(), stray.err());
        assertTrue(stray.err().contains("--clients, --rounds, --async-clients and --open-loop apply to --batcher only"), stray.err());
        Result strayRate = jedge("bench", bundle.toString(), "--open-loop", "10");
        assertEquals(2, strayRate.code(), strayRate.err());
        assertTrue(strayRate.err().contains("--clients, --rounds, --async-clients and --open-loop apply to --batcher only"), strayRate.err());

        Result open = jedge("bench", bundle.toString(), "--batcher", "4", "--open-loop", "20,80", "--seconds", "0.3");
        assertEquals(0, open.code(), open.err());
        assertTrue(open.out().contains("hand-made full batches of 4: ") && open.out().contains("open loop 80.0 req/s: "), open.out());
        List<String> points = open.out().lines().filter(l -> l.startsWith("RESULT batcher-open-loop")).toList();
        assertEquals(2, points.size(), open.out());
        assertTrue(points.get(0).contains("max_batch=4 offered=20.0 ") && points.get(1).contains(" offered=80.0 ")
                && points.get(1).endsWith(" rejected=0 lost=0"), points.toString());
        Result both = jedge("bench", bundle.toString(), "--batcher", "4", "--open-loop", "20", "--rounds", "3");
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("--open-loop sends requests at fixed rates, with no clients or rounds"), both.err());
    }
}
