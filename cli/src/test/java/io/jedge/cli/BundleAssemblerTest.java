package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.bundle.BundleAssembler;
import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.Converter;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.Precision;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Convert writes a bundle whole or not at all, and never replaces a directory it did not write. */
class BundleAssemblerTest {
    @TempDir
    Path tmp;

    Path vit() {
        return vit(2);
    }

    Path vit(long seed) {
        Path model = tmp.resolve("vit" + seed + ".onnx");
        VitBuilder.build(new VitConfig(32, 8, 32, 1, 2, 2, 6), new SeededWeights(seed), new VanillaAttention()).save(model);
        return model;
    }

    List<String> leftovers() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".jedge-")).toList();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aConvertKilledMidWayLeavesTheOldBundleAndTheNextConvertCleansUp() throws Exception {
        Path model = vit();
        Path out = tmp.resolve("b");
        new Converter(l -> { }).convert(model, out, ConversionOptions.builder().build());
        byte[] oldManifest = Files.readAllBytes(out.resolve("bundle.json"));
        // other weights, so a variant file written over the old one would no longer match the old digest
        Path retrained = vit(3);

        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), JedgeCli.class.getName(),
                "convert", retrained.toString(), "-o", out.toString(), "--precision", "fp32,fp16", "--validation-inputs", "2")
                .redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (java.io.IOException e) {
                // the child was killed
            }
        });
        reader.setDaemon(true);
        reader.start();
        boolean stagedOne = false;
        List<String> seen = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
            while (!stagedOne && System.nanoTime() < deadline && p.isAlive()) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l != null) {
                    seen.add(l);
                    stagedOne = l.startsWith("variant fp32-vanilla") && l.contains("written");
                }
            }
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs in the child
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(stagedOne, "the child wrote its first variant before it was killed: " + seen);

        Bundle after = Bundle.load(out); // every digest verified: whatever the moment, the bundle at -o is whole
        boolean killedBeforeCommit = !leftovers().isEmpty();
        if (killedBeforeCommit) {
            assertArrayEquals(oldManifest, Files.readAllBytes(out.resolve("bundle.json")), "the old bundle is untouched");
            assertEquals(1, after.manifest().variants().size());
        }
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no partial file inside the bundle");
        }

        new Converter(l -> { }).convert(model, out, ConversionOptions.builder().build());
        assertEquals(List.of(), leftovers(), "the next convert removed what the killed one staged");
        Bundle.load(out);
    }

    @Test
    void aKillBetweenTheTwoRenamesIsUndoneByTheNextConvert() throws Exception {
        Path model = vit();
        Path out = tmp.resolve("b");
        new Converter(l -> { }).convert(model, out, ConversionOptions.builder().build());
        long deadPid = deadPid();
        // the state a convert killed after "target → aside" leaves: no target, the old bundle aside, a complete staging dir
        Path aside = Files.move(out, tmp.resolve(".b.jedge-old-" + deadPid + "-1a2b3c4d"));
        Files.createDirectory(tmp.resolve(".b.jedge-staging-" + deadPid + "-5e6f7a8b"));
        BundleAssembler.prepare(out);
        assertFalse(Files.exists(aside));
        Bundle.load(out); // the old bundle is back
        assertEquals(List.of(), leftovers());

        // a staging dir of a live process (a convert running now) is left alone
        Path live = Files.createDirectory(tmp.resolve(".b.jedge-staging-" + ProcessHandle.current().pid() + "-0"));
        BundleAssembler.prepare(out);
        assertTrue(Files.isDirectory(live));
    }

    static long deadPid() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(30, TimeUnit.SECONDS);
        return p.pid();
    }

    @Test
    void aFailedConvertLeavesNeitherTheTargetNorAStagingDirectory() throws Exception {
        Path model = tmp.resolve("broken.onnx");
        missingInitializer().save(model);
        Path out = tmp.resolve("fresh");
        BundleException e = assertThrows(BundleException.class,
                () -> new Converter(l -> { }).convert(model, out, ConversionOptions.builder().build()));
        assertTrue(e.getMessage().contains("variant 'fp32-vanilla' cannot be loaded by ONNX Runtime (")
                && e.getMessage().contains("head.weight") && e.getMessage().endsWith("); no bundle was written"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertFalse(Files.exists(out));
        assertEquals(List.of(), leftovers());
    }

    /** x [N,4] → MatMul with 'head.weight', which the model never defines. */
    static OnnxModel missingInitializer() {
        Graph g = new Graph("broken", null);
        GraphBuilder b = new GraphBuilder(g);
        String x = b.input("x", TensorData.FLOAT, new long[] {-1, 4}, "batch");
        b.output(b.matMul(x, "head.weight"), "y", TensorData.FLOAT, new long[] {-1, 2}, "batch");
        return new OnnxModel(8, Map.of("", 17L), g);
    }

    static OnnxModel identity(long... dims) {
        Graph g = new Graph("dims", null);
        GraphBuilder b = new GraphBuilder(g);
        String x = b.input("x", TensorData.FLOAT, dims);
        b.output(b.op("Relu", x), "y", TensorData.FLOAT, dims);
        return new OnnxModel(8, Map.of("", 17L), g);
    }

    @Test
    void absurdDimsAreRefusedBeforeAnyWork() throws Exception {
        for (long bad : new long[] {1L << 40, 1L << 62, 0}) {
            Path model = tmp.resolve("dims.onnx");
            identity(1, 3, bad, bad).save(model);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Converter(l -> { }).convert(model, tmp.resolve("o"), ConversionOptions.builder().build()));
            assertEquals("model input 'x': dim 2 is " + bad + " in [1, 3, " + bad + ", " + bad + "], expected 1..2147483647"
                    + " or dynamic (fix the model's export)", e.getMessage());
            assertFalse(Files.exists(tmp.resolve("o")));
        }
        Path ok = tmp.resolve("ok.onnx");
        identity(1, 3, 8, 8).save(ok);
        new Converter(l -> { }).convert(ok, tmp.resolve("o"), ConversionOptions.builder().build());
        Bundle.load(tmp.resolve("o"));
    }

    @Test
    void aDirectoryThatIsNotAJedgeBundleIsRefusedBeforeTheModelIsRead() throws Exception {
        Path absent = tmp.resolve("no-such-model.onnx"); // were the model read first, the error would be about it
        Path notes = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(notes.resolve("todo.txt"), "keep me");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Converter(l -> { }).convert(absent, notes, ConversionOptions.builder().build()));
        assertTrue(e.getMessage().startsWith(notes.toRealPath() + ": not empty and holds no bundle.json, so it is not a jedge bundle"),
                e.getMessage());

        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("bundle.json"), "{\"name\": \"someone else's\"}");
        e = assertThrows(IllegalArgumentException.class,
                () -> new Converter(l -> { }).convert(absent, other, ConversionOptions.builder().build()));
        assertTrue(e.getMessage().contains("bundle.json: not a jedge manifest"), e.getMessage());

        // a jedge bundle with a file it does not list: replacing the bundle would delete that file
        Path model = vit();
        Path out = tmp.resolve("b");
        new Converter(l -> { }).convert(model, out, ConversionOptions.builder().build());
        Files.writeString(out.resolve("results.csv"), "mine");
        e = assertThrows(IllegalArgumentException.class,
                () -> new Converter(l -> { }).convert(model, out, ConversionOptions.builder().build()));
        assertTrue(e.getMessage().contains("holds results.csv, which bundle.json does not list"), e.getMessage());
        assertEquals("keep me", Files.readString(notes.resolve("todo.txt")));
        assertEquals("mine", Files.readString(out.resolve("results.csv")));

        // through the CLI: one line and a hint, exit 2
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = JedgeCli.commandLine();
        cl.setErr(new java.io.PrintWriter(err));
        assertEquals(2, cl.execute("convert", absent.toString(), "-o", notes.toString()));
        assertEquals(2, err.toString().lines().count(), err.toString());
    }

    @Test
    void aReconvertReplacesTheBundleWhole() throws Exception {
        Path model = vit();
        Path out = tmp.resolve("b");
        new Converter(l -> { }).convert(model, out, ConversionOptions.builder().precisions(List.of(Precision.FP32, Precision.FP16))
                .precision(io.jedge.converters.precision.PrecisionOptions.builder().validationInputs(2).build()).build());
        assertTrue(Files.exists(out.resolve("fp16-vanilla.onnx")));
        Bundle b = new Converter(l -> { }).convert(model, out, ConversionOptions.builder().build());
        assertEquals(List.of("fp32-vanilla"), b.manifest().variants().stream().map(v -> v.id()).toList());
        assertFalse(Files.exists(out.resolve("fp16-vanilla.onnx")), "files of the old bundle go with it");
        assertEquals(List.of(), leftovers());
        Bundle.load(out);
    }
}
