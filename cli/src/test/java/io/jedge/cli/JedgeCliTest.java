package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.jedge.converters.Fixtures;
import io.jedge.sdk.bundle.Bundle;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class JedgeCliTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result jedge(String... args) {
        CommandLine cl = JedgeCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vit224_legacy_op17", "vit224_dynamo_op23", "swin224_dynamo_op18"})
    void inspectsEveryFixture(String name) {
        Path model = Fixtures.torchExport(name).resolve("model.onnx");
        Result r = jedge("inspect", model.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("pixels") && r.out.contains("float32") && r.out.contains("parameters:"), r.out);
        Result j = jedge("inspect", model.toString(), "--json");
        assertEquals(0, j.code, j.err);
        var o = JsonParser.parseString(j.out).getAsJsonObject().getAsJsonObject("summary");
        assertTrue(JsonParser.parseString(j.out).getAsJsonObject().getAsJsonArray("attention").size() >= 2, "attention blocks listed");
        assertTrue(r.out.contains("attention:  ") && !r.out.contains("none found"), r.out);
        assertTrue(o.get("parameters").getAsLong() > 1_000_000, "parameter count");
        assertTrue(o.getAsJsonObject("ops").has("MatMul"), "op histogram");
    }

    @Test
    void buildConvertRunBench() throws Exception {
        Path model = tmp.resolve("vit.onnx");
        Result b = jedge("build-model", "vit", "--preset", "micro", "--image-size", "32", "--patch", "8", "--dim", "32",
                "--heads", "2", "--depth", "1", "--classes", "10", "--seed", "5", "-o", model.toString());
        assertEquals(0, b.code, b.err);
        assertTrue(Files.size(model) > 10_000);
        Path labels = tmp.resolve("labels.txt");
        Files.writeString(labels, "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n");
        Path bundle = tmp.resolve("b");
        Result c = jedge("convert", model.toString(), "-o", bundle.toString(), "--labels", labels.toString(), "--batch", "1:4:16");
        assertEquals(0, c.code, c.err);
        assertTrue(c.out.contains("fp32-vanilla"), c.out);
        Bundle loaded = Bundle.load(bundle);
        assertEquals(10, loaded.manifest().labels().size());

        float[] px = new float[3 * 32 * 32 * 2];
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(px.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < px.length; i++) {
            buf.putFloat((float) Math.cos(i * 0.1));
        }
        Path f32 = tmp.resolve("in.f32");
        Files.write(f32, buf.array());
        Result run = jedge("run", bundle.toString(), "--input", f32.toString(), "--top", "3");
        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains("top 3") && run.out.contains("(row 1)"), "two rows classified: " + run.out);

        Path png = tmp.resolve("img.png");
        javax.imageio.ImageIO.write(gradient(40), "png", png.toFile());
        Result img = jedge("run", bundle.toString(), "--input", png.toString());
        assertEquals(0, img.code, img.err);
        assertTrue(img.out.contains("%"), img.out);

        Result bench = jedge("bench", bundle.toString(), "--batch", "1,4", "--seconds", "0.2");
        assertEquals(0, bench.code, bench.err);
        assertEquals(2, Bundle.load(bundle).manifest().variants().get(0).figures().size(), "figures recorded per batch");
        Result json = jedge("bench", bundle.toString(), "--batch", "1", "--seconds", "0.1", "--json", "--no-record");
        assertEquals(0, json.code, json.err);
        assertEquals(1, JsonParser.parseString(json.out).getAsJsonObject().getAsJsonArray("results").size());
    }

    @Test
    void convertTakesPreprocessingFromATimmConfigAndFlags() throws Exception {
        Path model = TrainedFixtureTest.CORPUS.resolve("timm_vit_legacy/model.onnx");
        Path cfg = tmp.resolve("pretrained_cfg.json");
        Files.writeString(cfg, "{\"input_size\":[3,32,32],\"interpolation\":\"bicubic\",\"mean\":[0.5,0.5,0.5],"
                + "\"std\":[0.5,0.5,0.5],\"crop_pct\":0.9}");
        Path bundle = tmp.resolve("timm");
        Result c = jedge("convert", model.toString(), "-o", bundle.toString(), "--preprocess", "timm-config", cfg.toString(),
                "--mean", "0.4,0.5,0.6");
        assertEquals(0, c.code, c.err);
        var pre = JsonParser.parseString(Files.readString(bundle.resolve("bundle.json"))).getAsJsonObject().getAsJsonObject("preprocessing");
        assertEquals("[0.4,0.5,0.6]", pre.get("mean").toString(), "the flag overrides the file");
        assertEquals("[0.5,0.5,0.5]", pre.get("std").toString());
        assertEquals("bicubic", pre.get("resize").getAsString());
        assertEquals(0.9, pre.get("crop").getAsDouble());

        Path png = tmp.resolve("img.png");
        javax.imageio.ImageIO.write(gradient(40), "png", png.toFile());
        Result run = jedge("run", bundle.toString(), "--input", png.toString(), "--top", "2");
        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains("top 2"), run.out);

        Files.writeString(cfg, "{\"input_size\":[3,224,224],\"crop_pct\":0.9}");
        Result bad = jedge("convert", model.toString(), "-o", tmp.resolve("bad").toString(), "--preprocess", "timm-config", cfg.toString());
        assertEquals(2, bad.code, bad.err);
        assertTrue(bad.err.lines().findFirst().orElse("").contains("input_size [3,224,224]) asks for 224x224, but the model's input "
                + "'pixels' is [-1, 3, 32, 32]"), bad.err);
        assertTrue(bad.err.lines().count() == 2 && !Files.exists(tmp.resolve("bad/bundle.json")), bad.err);

        Result kind = jedge("convert", model.toString(), "-o", tmp.resolve("k").toString(), "--preprocess", "hf-config", cfg.toString());
        assertEquals(2, kind.code);
        assertTrue(kind.err.contains("--preprocess 'hf-config', expected timm-config FILE"), kind.err);
        Result filter = jedge("convert", model.toString(), "-o", tmp.resolve("f").toString(), "--interpolation", "area");
        assertTrue(filter.code == 2 && filter.err.contains("--interpolation: unknown interpolation 'area'"), filter.err);
    }

    @Test
    void userErrorsAreOneLineWithAHint() throws Exception {
        Result missing = jedge("inspect", tmp.resolve("nope.onnx").toString());
        assertEquals(2, missing.code);
        assertTrue(missing.err.startsWith("jedge inspect: error: model file") && missing.err.contains("hint:"), missing.err);
        assertTrue(!missing.err.contains("\tat "), "no stack trace without --verbose");

        Result verbose = jedge("inspect", tmp.resolve("nope.onnx").toString(), "--verbose");
        assertTrue(verbose.err.contains("\tat "), "stack trace with --verbose");

        Path notBundle = Files.createDirectories(tmp.resolve("notbundle"));
        Path input = Files.write(tmp.resolve("x.f32"), new byte[12]);
        Result run = jedge("run", notBundle.toString(), "--input", input.toString());
        assertEquals(2, run.code);
        assertTrue(run.err.contains("bundle.json") && run.err.contains("missing"), run.err);

        Result badBatch = jedge("convert", "m.onnx", "-o", tmp.resolve("o").toString(), "--batch", "8:1:2");
        assertEquals(2, badBatch.code);
        Path model = tmp.resolve("m.onnx");
        assertEquals(0, jedge("build-model", "vit", "--preset", "micro", "--image-size", "32", "--patch", "8", "--dim", "32",
                "--heads", "2", "--depth", "1", "--classes", "4", "-o", model.toString()).code);
        Result noTrt = jedge("convert", model.toString(), "-o", tmp.resolve("e").toString(), "--engines", "tensorrt");
        assertEquals(1, noTrt.code);
        assertTrue(noTrt.err.contains("--engines tensorrt: TensorRT unavailable") && noTrt.err.lines().count() == 2, noTrt.err);
        assertTrue(!Files.exists(tmp.resolve("e/bundle.json")), "nothing half-written");

        Result usage = jedge("convert");
        assertEquals(2, usage.code, "picocli usage errors exit 2");
        assertTrue(usage.err.contains("Missing required"), usage.err);
    }

    /** A small RGB gradient (the quickstart's sample image lives in the converter commands). */
    static java.awt.image.BufferedImage gradient(int size) {
        var img = new java.awt.image.BufferedImage(size, size, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, (x * 255 / size) << 16 | (y * 255 / size) << 8 | 128);
            }
        }
        return img;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "--batch|0|--batch 0, expected 1 to 4096", "--batch|-1|--batch -1,", "--batch|100000|--batch 100000,",
        "--seconds|-1|--seconds -1.0, expected a number of seconds in (0, 3600]",
        "--seconds|NaN|'--seconds': 'NaN' is not a finite number", "--threads|10000|--threads 10000",
        "--batcher|1|--batcher 1, expected a maximum batch of 2 to 4096"})
    void benchRefusesAbsurdOptionsBeforeAnyWork(String option, String value, String expected) {
        Result r = jedge("bench", tmp.resolve("no-such-bundle").toString(), option, value);
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.contains(expected) && r.err.lines().count() == 2, r.err);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "--clients|0|--clients 0, expected 1 to 1024", "--rounds|101|--rounds 101, expected 1 to 100",
        "--seconds|4000|--seconds 4000.0, expected a number of seconds in (0, 3600]",
        "--open-loop|0|--open-loop 0.0, expected requests per second in (0, 1000000]",
        "--open-loop|-3|--open-loop -3.0, expected requests per second in (0, 1000000]"})
    void benchBatcherErrorsNameTheFlagTheUserTyped(String option, String value, String expected) {
        Result r = jedge("bench", tmp.resolve("no-such-bundle").toString(), "--batcher", "4", option, value);
        assertEquals(2, r.code, r.err);
        assertEquals("jedge bench: error: " + expected, r.err.lines().findFirst().orElseThrow(), r.err);
    }

    @Test
    void everyParameterTheBenchLibraryNamesMapsToABenchFlag() {
        var bench = JedgeCli.commandLine().getSubcommands().get("bench").getCommandSpec();
        for (String flag : io.jedge.cli.options.BenchFlags.FLAGS.values()) {
            assertTrue(bench.findOption(flag) != null, flag + " is not an option of bench");
        }
        // every number the library checks is a component of its option records; maxDelay has no flag (the batcher's own
        // default), and the rest are not numbers a user types
        java.util.Set<String> noFlag = java.util.Set.of("maxDelay", "variantIds", "device", "record", "power", "tuning");
        for (var records : java.util.List.of(io.jedge.runtime.bench.BundleBenchOptions.class, io.jedge.runtime.bench.BatcherBench.Plan.class)) {
            for (var component : records.getRecordComponents()) {
                String name = component.getName();
                assertTrue(noFlag.contains(name) || io.jedge.cli.options.BenchFlags.FLAGS.containsKey(name),
                        records.getSimpleName() + "." + name + " has no bench flag");
            }
        }
    }

    @Test
    void escapeSequencesFromNamesNeverReachTheTerminal() {
        Result r = jedge("bench", tmp.resolve("evil\u001b[31mred\nsecond").toString());
        assertEquals(2, r.code, r.err);
        assertTrue(!r.err.contains("\u001b") && r.err.contains("\\u001b[31mred\\u000asecond"), r.err);
        assertEquals(2, r.err.lines().count(), r.err);
    }
}
