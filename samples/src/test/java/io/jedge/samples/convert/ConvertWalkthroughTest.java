package io.jedge.samples.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jedge.cli.DeviceCommand;
import io.jedge.cli.JedgeCli;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleManifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code samples/run convert} itself, as a user does, with {@code JEDGE} pointing at this
 * build's CLI (the script's default, ./jedge, would build with Maven).
 */
class ConvertWalkthroughTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @BeforeEach
    void needsBash() {
        assumeTrue(bash() != null, "bash is not installed here; the walkthrough is a bash script");
        assumeTrue(Files.isRegularFile(REPO.resolve("samples/run")), "not run from the samples module of a checkout");
    }

    private static Path bash() {
        return Stream.of("/bin/bash", "/usr/bin/bash", "/usr/local/bin/bash").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
    }

    /** A launcher for this build's jedge CLI: the test JVM's java and class path. */
    private Path launcher(String body) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String script = "#!" + bash() + "\n" + body.replace("JEDGE_CLI", "'" + java + "' -cp '" + System.getProperty("java.class.path")
                + "' " + JedgeCli.class.getName() + " \"$@\"") + "\n";
        Path p = Files.writeString(tmp.resolve("jedge-" + Integer.toHexString(body.hashCode())), script);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private record Run(int code, String output) {
    }

    private Run walkthrough(Path jedge, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(bash().toString(), REPO.resolve("samples/run").toString(), "convert"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("walkthrough.log").toFile());
        pb.environment().put("JEDGE", jedge.toString());
        pb.environment().put("JEDGE_BENCH_SECONDS", "0.1");
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the walkthrough did not finish in 240 s:\n" + Files.readString(tmp.resolve("walkthrough.log")));
        }
        return new Run(p.exitValue(), Files.readString(tmp.resolve("walkthrough.log")));
    }

    private Path tinyVit() {
        Path model = tmp.resolve("vit.onnx");
        VitBuilder.build(new VitConfig(32, 8, 32, 2, 2, 2, 10), new SeededWeights(1), new VanillaAttention()).save(model);
        return model;
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void theScriptTakesAnExportToAMeasuredBundle() throws Exception {
        Path out = tmp.resolve("out");
        Run r = walkthrough(launcher("exec JEDGE_CLI"), tinyVit().toString(), out.toString(), "--min-cosine", "0.9",
                "--validation-inputs", "4");
        assertEquals(0, r.code(), r.output());
        for (String step : new String[] {"== 1. ", "== 2. ", "== 3. ", "== 4. ", "bundle: " + out.resolve("bundle")}) {
            assertTrue(r.output().contains(step), step + " in\n" + r.output());
        }
        assertTrue(r.output().contains("attention blocks"), "inspect ran: " + r.output());
        assertTrue(r.output().contains("SIMULATED"), "the simulated Orin Nano selection ran: " + r.output());

        BundleManifest m = Bundle.load(out.resolve("bundle")).manifest();
        Set<String> ids = m.variants().stream().map(v -> v.id()).collect(Collectors.toSet());
        assertTrue(ids.containsAll(Set.of("fp32-vanilla", "fp16-vanilla", "int8-vanilla")), ids.toString());
        assertTrue(m.variants().stream().allMatch(v -> v.batchMin() == 1 && v.batchOpt() == 8 && v.batchMax() == 16),
                "--batch 1:8:16 applied");
        assertTrue(m.variants().stream().allMatch(v -> v.figures().size() == 2), "bench recorded batch 1 and 8 for every variant");
    }

    /**
     * What this build's {@code jedge device --json} prints for the captured device tree {@code tree} of
     * jetson-runtime's tests, with the TensorRT Java bindings' answer given ({@code unavailableReason}
     * empty: they load), since no machine without a GPU loads them.
     */
    private static String deviceJson(String tree, Optional<String> unavailableReason) {
        Path root = REPO.resolve("jetson-runtime/src/test/resources/fake-roots").resolve(tree);
        assertTrue(Files.isDirectory(root), "captured device tree " + root);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(DeviceCommand.assumingTensorRtBindings(unavailableReason));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute("--json", "--root", root.toString()), err.toString());
        return out.toString();
    }

    /** The convert command line the walkthrough runs when 'jedge device --json' prints {@code deviceJson}. */
    private String convertCallFor(String deviceJson, String name) throws Exception {
        Path json = Files.writeString(tmp.resolve(name + "-device.json"), deviceJson);
        Path calls = tmp.resolve(name + "-calls.txt");
        // answers 'device --json' with the real output above and stops at convert, recording every call
        Path jedge = launcher("echo \"$*\" >> '" + calls + "'\n"
                + "if [ \"$*\" = 'device --json' ]; then cat '" + json + "'; exit 0; fi\n"
                + "if [ \"$1\" = convert ]; then exit 3; fi\n"
                + "exit 0");
        Run r = walkthrough(jedge, tinyVit().toString(), tmp.resolve(name).toString());
        assertEquals(3, r.code(), "stops at the recorded convert: " + r.output());
        List<String> lines = Files.readAllLines(calls);
        assertTrue(lines.contains("device --json"), "the walkthrough asked 'jedge device --json': " + lines);
        return lines.stream().filter(l -> l.startsWith("convert ")).findFirst().orElseThrow() + "\n" + r.output();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void enginesAreAskedForWhereJedgeDeviceReportsTensorRt() throws Exception {
        // Orin Nano (super) with TensorRT 10.3.0 and bindings that load: engines
        String json = deviceJson("orin-nano-8gb-super", Optional.empty());
        String call = convertCallFor(json, "trt");
        assertTrue(call.lines().findFirst().orElseThrow().endsWith("--batch 1:8:16 --engines tensorrt"),
                "engines asked for on\n" + json + "\n" + call);
        assertTrue(call.contains("TensorRT found: building engines too"), call);

        // bindings that do not load: no engines, whatever library is present
        json = deviceJson("orin-nano-8gb-super", Optional.of("no libnvinfer"));
        call = convertCallFor(json, "no-bindings");
        assertTrue(call.lines().findFirst().orElseThrow().endsWith("--batch 1:8:16"), "no engines on\n" + json + "\n" + call);

        // bindings that load on a host with no TensorRT library: no engines either
        json = deviceJson("x86-host", Optional.empty());
        call = convertCallFor(json, "no-library");
        assertTrue(call.lines().findFirst().orElseThrow().endsWith("--batch 1:8:16"), "no engines on\n" + json + "\n" + call);
    }
}
