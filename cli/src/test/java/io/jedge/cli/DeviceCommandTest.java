package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class DeviceCommandTest {
    private static final Path FAKE_ROOTS = Path.of("../jetson-runtime/src/test/resources/fake-roots");

    /** Output and exit code of one run. */
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new DeviceCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String tree(String name) {
        Path p = FAKE_ROOTS.resolve(name);
        assertTrue(Files.isDirectory(p), "fake root " + p.toAbsolutePath());
        return p.toString();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "jetson-nano,         Jetson Nano 4GB,            32.7.1, JetPack 4.6.1, 5W (id 1,",
        "orin-nano-8gb,       Jetson Orin Nano 8GB,       35.4.1, JetPack 5.1.2, 15W (id 0,",
        "orin-nano-8gb-super, Jetson Orin Nano 8GB (super), 36.4.3, JetPack 6.2, 'MAXN_SUPER (id 2, super conf,'",
        "orin-nx-16gb,        Jetson Orin NX 16GB,        36.4.0, JetPack 6.1, 25W (id 3,",
        "agx-orin-64gb,       Jetson AGX Orin 64GB,       35.3.1, JetPack 5.1.1, MODE_30W (id 2, from nvpmodel -q)",
    })
    void summarisesEachFakeJetson(String tree, String module, String l4t, String jetpack, String mode) {
        Run r = run("--root", tree(tree));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Device      " + module), r.out());
        assertTrue(r.out().contains("L4T         " + l4t), r.out());
        assertTrue(r.out().contains(jetpack), r.out());
        assertTrue(r.out().contains("Power mode  " + mode), r.out());
        assertTrue(r.out().contains("captured tree"), r.out());
        assertTrue(r.out().contains("Telemetry   from sysfs"), r.out());
    }

    @Test
    void summaryShowsCapsPowerAndThermal() {
        Run r = run("--root", tree("orin-nx-16gb"));
        assertTrue(r.out().contains("  caps      8 cores, CPU 1497.6 MHz, GPU 408 MHz, EMC uncapped (3199 MHz), 2 DLA 614.4/614.4 MHz"), r.out());
        assertTrue(r.out().contains("  budget    25 W"), r.out());
        assertTrue(r.out().contains("Power       17.00 W total (VDD_IN)"), r.out());
        assertTrue(r.out().contains("GPU         408 MHz, max 408 MHz, load 87.0%"), r.out());
        assertTrue(r.out().contains("Thermal     ok: hottest tj-thermal 62.8 C"), r.out());
        Run agx = run("--root", tree("agx-orin-64gb"));
        assertTrue(agx.out().contains("(sum of rails; no VDD_IN)"), agx.out());
        assertTrue(agx.out().contains("  - /var/lib/nvpmodel/status: missing"), agx.out());
    }

    @Test
    void jsonCarriesDevicePowerAndTelemetry() {
        Run r = run("--root", tree("orin-nano-8gb-super"), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.get("captured").getAsBoolean());
        JsonObject d = o.getAsJsonObject("device");
        assertEquals("ORIN_NANO_8GB", d.get("module").getAsString());
        assertTrue(d.get("superVariant").getAsBoolean());
        assertEquals("36.4.3", d.getAsJsonObject("l4t").get("version").getAsString());
        assertEquals("6.2", d.getAsJsonObject("jetpack").get("version").getAsString());
        assertEquals("10.3.0", d.get("tensorRt").getAsString());
        JsonObject p = o.getAsJsonObject("power");
        assertEquals("MAXN_SUPER", p.getAsJsonObject("mode").get("name").getAsString());
        assertEquals(1020.0, p.getAsJsonObject("state").get("gpuMaxMHz").getAsDouble(), 1e-9);
        assertFalse(p.getAsJsonObject("state").has("budgetW"), "MAXN_SUPER has no budget");
        assertEquals(6920000L * 1024, p.getAsJsonObject("state").get("memAvailableBytes").getAsLong());
        assertEquals(9122.4, o.getAsJsonObject("telemetry").get("totalPowerMw").getAsDouble(), 1e-6);
        assertEquals("VDD_IN", o.getAsJsonObject("telemetry").get("totalPowerRail").getAsString());
    }

    @Test
    void assumedTensorRtBindingsAreReportedForACapturedTree() {
        String tree = tree("orin-nano-8gb-super");
        assertFalse(JsonParser.parseString(run("--root", tree, "--json").out()).getAsJsonObject().has("tensorRtJavaBindings"),
                "this process's bindings say nothing about a captured device");
        for (Optional<String> why : List.of(Optional.<String>empty(), Optional.of("no libnvinfer"))) {
            StringWriter out = new StringWriter();
            CommandLine cl = new CommandLine(DeviceCommand.assumingTensorRtBindings(why));
            cl.setOut(new PrintWriter(out, true));
            assertEquals(0, cl.execute("--root", tree, "--json"));
            JsonObject b = JsonParser.parseString(out.toString()).getAsJsonObject().getAsJsonObject("tensorRtJavaBindings");
            assertEquals(why.isEmpty(), b.get("load").getAsBoolean(), out.toString());
            assertEquals(why.orElse(null), b.has("reason") ? b.get("reason").getAsString() : null, out.toString());
            out.getBuffer().setLength(0);
            assertEquals(0, cl.execute("--root", tree));
            assertTrue(out.toString().contains(why.isEmpty() ? "TRT Java    load (as assumed)" : "TRT Java    do not load (as assumed): no libnvinfer"),
                    out.toString());
        }
    }

    @Test
    void nonJetsonHostIsReportedAsSuch() {
        Run r = run("--root", tree("x86-host"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Device      not a Jetson (host)"), r.out());
        assertTrue(r.out().contains("CPU         AMD EPYC 7B13 64-Core Processor, 4 cores"), r.out());
        assertTrue(r.out().contains("GPU         NVIDIA H200 (compute 9.0, 140.40 GiB, driver 570.86.15)"), r.out());
        JsonObject o = JsonParser.parseString(run("--root", tree("x86-host"), "--json").out()).getAsJsonObject();
        assertFalse(o.getAsJsonObject("device").get("jetson").getAsBoolean());
        assertEquals("NOT_JETSON", o.getAsJsonObject("device").get("module").getAsString());
    }

    @Test
    void thisHostWorksToo() {
        Run r = run();
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Device      "), r.out());
        assertTrue(r.out().contains("Memory      "), r.out());
    }

    @Test
    void badRootIsOneLineAndAHint() {
        Run r = run("--root", "/nonexistent/jedge-tree");
        assertEquals(2, r.exit());
        String[] lines = r.err().strip().split("\n");
        assertEquals(2, lines.length, r.err());
        assertEquals("jedge device: --root '/nonexistent/jedge-tree' is not a directory", lines[0]);
        assertTrue(lines[1].startsWith("hint: "), lines[1]);
        assertEquals("", r.out());
    }

    @Test
    void watchOnAHostWithoutPowerModesFails() {
        Run r = run("--root", tree("x86-host"), "--watch", "--watch-seconds", "1");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("jedge device: --watch needs a Jetson"), r.err());
    }

    @Test
    void watchIsBoundedBySeconds() {
        Run r = run("--root", tree("jetson-nano"), "--watch", "--watch-seconds", "1", "--poll-ms", "50");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("watching /var/lib/nvpmodel/status under"), r.out());
        assertFalse(r.out().contains("power mode changed"), r.out());
    }

    @Test
    void watchPrintsModeChanges(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("nano");
        Path src = FAKE_ROOTS.resolve("jetson-nano");
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Path dst = root.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        }
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new DeviceCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("--root", root.toString(), "--watch",
                "--watch-seconds", "60", "--watch-events", "1", "--poll-ms", "20"));
        // The command prints "watching" once it has its baseline; a change after that is an event.
        for (int i = 0; i < 6000 && !out.toString().contains("watching"); i++) {
            Thread.sleep(10);
        }
        assertTrue(out.toString().contains("current mode 5W (id 1)"), out.toString());
        writeStatus(root, "pmode:0000 fmode:fanNull\n");
        assertEquals(0, exit.get(90, TimeUnit.SECONDS));
        assertTrue(out.toString().contains("power mode changed: 5W (id 1) -> MAXN (id 0)"), out.toString());
    }

    private static void writeStatus(Path root, String text) throws IOException {
        Path tmp = root.resolve("var/lib/nvpmodel/status.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, root.resolve("var/lib/nvpmodel/status"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
