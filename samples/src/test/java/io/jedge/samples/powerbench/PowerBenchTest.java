package io.jedge.samples.powerbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.jedge.samples.SampleBundles;
import io.jedge.sdk.bundle.Bundle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PowerBenchTest {
    @TempDir
    Path tmp;

    @Test
    void writesTableChartReportAndFigures() throws Exception {
        Path bundle = SampleBundles.tinyClassifier(tmp);
        Path out = tmp.resolve("pb");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PowerBench pb = new PowerBench(new PrintStream(log, true));
        int code = new CommandLine(pb).execute(bundle.toString(), "-o", out.toString(), "--batch", "1,2", "--seconds", "0.1",
                "--simulate-modules", "jetson-nano,orin-nano-8gb");
        assertEquals(0, code, log.toString());
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(1 + 2 * 2, csv.size(), "header + 2 variants x 2 batches: " + csv);
        assertTrue(csv.get(1).split(",").length >= 11, csv.get(1));
        var json = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        assertEquals(4, json.getAsJsonArray("measured").size());
        assertTrue(json.getAsJsonArray("simulatedSelection").size() >= 2 * 4, "every simulated mode, both goals");
        BufferedImage png = ImageIO.read(out.resolve("throughput.png").toFile());
        assertTrue(png != null && png.getWidth() == 900 && png.getHeight() == 520, "chart is a valid PNG");
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("not a Jetson") && report.contains("SIMULATED") && report.contains("jetson-nano"), report);
        // the figures went into the bundle for the selection to use
        assertEquals(2, Bundle.load(bundle).manifest().variant("fp32-vanilla").orElseThrow().figures().size());
        // chart series: one per variant
        var rows = List.of(new PowerBench.Row("h", "host", true, "a", "fp32", "vanilla", "ort-cpu", 1, 1, 1, 10, null, null),
                new PowerBench.Row("h", "host", true, "b", "fp32", "elfatt-sd", "ort-cpu", 1, 1, 1, 12, null, null));
        Files.createDirectories(out);
        PowerBench fresh = new PowerBench(new PrintStream(new ByteArrayOutputStream()));
        new CommandLine(fresh).parseArgs(bundle.toString(), "-o", out.toString());
        assertEquals(Set.of("a", "b"), fresh.chart(rows).getSeriesMap().keySet());
    }

    @Test
    void badOptionsAndUnknownModulesFailBeforeAnyModeIsSetOrMeasured() throws Exception {
        Path bundle = SampleBundles.tinyClassifier(tmp);
        for (String[] bad : List.of(new String[] {"--batch", "0"}, new String[] {"--threads", "5000"},
                new String[] {"--simulate-modules", "orin-nano-8gb:15W"})) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            CommandLine cl = new CommandLine(new PowerBench(new PrintStream(log, true)));
            java.io.StringWriter err = new java.io.StringWriter();
            cl.setErr(new java.io.PrintWriter(err));
            List<String> args = new java.util.ArrayList<>(List.of(bundle.toString(), "-o", tmp.resolve("pb").toString(), "--seconds", "0.1"));
            args.addAll(List.of(bad));
            assertTrue(cl.execute(args.toArray(String[]::new)) != 0, String.join(" ", bad));
            assertTrue(!log.toString().contains("power-bench on"), "nothing measured for " + String.join(" ", bad) + ": " + log);
            assertTrue(Files.notExists(tmp.resolve("pb")), "nothing written for " + String.join(" ", bad));
        }
    }
}
