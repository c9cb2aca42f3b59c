package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.Converter;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Figure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two {@code jedge bench} processes on one bundle: both sets of figures survive. */
class ConcurrentBenchTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void twoBenchProcessesKeepEachOthersFigures() throws Exception {
        Path model = tmp.resolve("vit.onnx");
        VitBuilder.build(new VitConfig(32, 8, 32, 1, 2, 2, 6), new SeededWeights(2), new VanillaAttention()).save(model);
        Path bundle = tmp.resolve("b");
        new Converter(l -> { }).convert(model, bundle, ConversionOptions.builder().build());

        // each loads the bundle, measures for a second, then records: without the lock and re-read, the second write drops the first's figures
        List<Process> benches = new ArrayList<>();
        try {
            for (String batch : new String[] {"1", "2"}) {
                benches.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), JedgeCli.class.getName(),
                        "bench", bundle.toString(), "--batch", batch, "--seconds", "1", "--threads", "1")
                        .redirectErrorStream(true).redirectOutput(tmp.resolve("bench" + batch + ".log").toFile()).start());
            }
            for (Process p : benches) {
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bench finished");
                assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("bench" + (benches.indexOf(p) + 1) + ".log")));
            }
        } finally {
            benches.forEach(Process::destroyForcibly);
        }
        List<Integer> batches = Bundle.load(bundle).manifest().variants().get(0).figures().stream().map(Figure::batch).sorted().toList();
        assertEquals(List.of(1, 2), batches);
    }
}
