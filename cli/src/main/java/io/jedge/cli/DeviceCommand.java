package io.jedge.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jedge.runtime.device.DeviceDetector;
import io.jedge.runtime.device.DeviceInfo;
import io.jedge.runtime.device.GpuInfo;
import io.jedge.runtime.device.HostAccess;
import io.jedge.runtime.device.JetPackRelease;
import io.jedge.runtime.device.L4tVersion;
import io.jedge.runtime.power.CpuCoreReading;
import io.jedge.runtime.power.CurrentPowerMode;
import io.jedge.runtime.power.PowerListener;
import io.jedge.runtime.power.PowerModeChanged;
import io.jedge.runtime.power.PowerModeReader;
import io.jedge.runtime.power.PowerModeWatcher;
import io.jedge.runtime.power.PowerMonitor;
import io.jedge.runtime.power.PowerState;
import io.jedge.runtime.power.PowerStatus;
import io.jedge.runtime.power.ProfileMode;
import io.jedge.runtime.power.RailReading;
import io.jedge.runtime.power.Telemetry;
import io.jedge.runtime.power.ThermalState;
import io.jedge.runtime.power.ThermalZoneReading;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jedge device}: which Jetson this is (or which host), its L4T/JetPack, CUDA and TensorRT,
 * the active power mode with its profile caps, memory and live telemetry; {@code --watch} then
 * reports power-mode changes and thermal throttling until interrupted.
 */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = {"Show the device: Jetson module, L4T/JetPack, CUDA/TensorRT, power mode and its caps, memory, telemetry.",
            "On a non-Jetson host: CPU, memory and any NVIDIA GPU."})
public final class DeviceCommand implements Callable<Integer> {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private static final Gson LINE = new GsonBuilder().disableHtmlEscaping().create();

    @Spec
    CommandSpec spec;

    /** Whether the bindings' answer is given ({@link #assumedUnavailable}) instead of asked of this process. */
    private final boolean assumed;
    /** The given answer: why the bindings do not load, empty when they do. */
    private final Optional<String> assumedUnavailable;

    public DeviceCommand() {
        this(false, Optional.empty());
    }

    private DeviceCommand(boolean assumed, Optional<String> unavailableReason) {
        this.assumed = assumed;
        this.assumedUnavailable = unavailableReason;
    }

    /**
     * A device command that reports {@code unavailableReason} (empty: they load) as the TensorRT Java
     * bindings' answer instead of probing this process, and reports it for a captured {@code --root}
     * tree too, where it then stands for the captured device. Why: so tests of what reads
     * {@code jedge device --json} (the convert walkthrough) get this command's real output for a
     * device whose bindings load, which no machine without a GPU can produce otherwise.
     */
    public static DeviceCommand assumingTensorRtBindings(Optional<String> unavailableReason) {
        return new DeviceCommand(true, Objects.requireNonNull(unavailableReason, "unavailableReason"));
    }

    @Option(names = "--json", description = "Print JSON instead of the summary.")
    boolean json;

    @Option(names = "--watch", description = "After the summary, print power-mode changes and thermal throttling until Ctrl-C.")
    boolean watch;

    @Option(names = "--root", paramLabel = "DIR",
            description = "Read a captured filesystem tree instead of /; captured command outputs are read from DIR/jedge-commands.")
    Path root;

    /** --verbose is the jedge command's inherited option; standalone use has none. */
    private boolean verbose() {
        return spec.root().userObject() instanceof JedgeCli cli && cli.verbose.verbose();
    }

    @Option(names = "--watch-seconds", hidden = true, description = "Stop watching after this many seconds.")
    Long watchSeconds;

    @Option(names = "--watch-events", hidden = true, description = "Stop watching after this many mode changes.")
    Integer watchEvents;

    @Option(names = "--poll-ms", hidden = true, defaultValue = "1000", description = "Watcher poll period in milliseconds.")
    long pollMs;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            HostAccess env;
            if (root != null) {
                if (!Files.isDirectory(root)) {
                    return fail(err, "--root '" + root + "' is not a directory",
                            "pass a captured device tree, for example --root jetson-runtime/src/test/resources/fake-roots/orin-nx-16gb");
                }
                env = HostAccess.ofRoot(root);
            } else {
                env = HostAccess.system();
            }
            if (pollMs < 10) {
                return fail(err, "--poll-ms " + pollMs + ", expected at least 10", "use the default of 1000");
            }
            DeviceInfo info = new DeviceDetector(env).detect();
            PowerStatus status = new PowerMonitor(env, info).status();
            if (json) {
                out.println(GSON.toJson(toJson(info, status)));
            } else {
                printSummary(out, info, status);
            }
            out.flush();
            if (!watch) {
                return 0;
            }
            if (!info.isJetson()) {
                return fail(err, "--watch needs a Jetson: this host has no nvpmodel power modes",
                        "run it on the device, or point --root at a captured Jetson tree");
            }
            return watch(env, out);
        } catch (RuntimeException e) {
            if (verbose()) {
                e.printStackTrace(err);
            }
            return fail(err, e.getMessage() == null ? e.toString() : e.getMessage(),
                    "rerun with --verbose for details; --root DIR reads a captured tree instead of this host");
        }
    }

    private int fail(PrintWriter err, String message, String hint) {
        err.println("jedge device: " + message);
        err.println("hint: " + hint);
        err.flush();
        return 2;
    }

    private int watch(HostAccess env, PrintWriter out) throws RuntimeException {
        CountDownLatch done = new CountDownLatch(watchEvents == null ? Integer.MAX_VALUE : Math.max(1, watchEvents));
        try (PowerModeWatcher watcher = PowerModeWatcher.builder(env).period(Duration.ofMillis(pollMs)).build()) {
            watcher.addListener(new PowerListener() {
                @Override
                public void powerModeChanged(PowerModeChanged e) {
                    if (json) {
                        JsonObject o = new JsonObject();
                        o.addProperty("event", "powerModeChanged");
                        o.add("previous", modeJson(e.previous()));
                        o.add("current", modeJson(e.current()));
                        o.addProperty("at", e.detectedAt().toString());
                        out.println(LINE.toJson(o));
                    } else {
                        out.println(e.detectedAt() + "  power mode changed: " + e.previous() + " -> " + e.current());
                    }
                    out.flush();
                    done.countDown();
                }

                @Override
                public void thermalStateChanged(ThermalState s) {
                    if (json) {
                        JsonObject o = thermalJson(s);
                        o.addProperty("event", "thermalStateChanged");
                        out.println(LINE.toJson(o));
                    } else {
                        out.println("thermal throttling " + (s.throttling() ? "started" : "stopped") + ": " + s.reason());
                    }
                    out.flush();
                }
            });
            watcher.start();
            try {
                // Announce only once the baseline is taken, so a change after this line is reported.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (watcher.currentMode().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                if (!json) {
                    out.println("watching " + PowerModeReader.STATUS_FILE + (root != null ? " under " + root : "")
                            + " every " + pollMs + " ms, current mode " + watcher.currentMode().map(Object::toString).orElse("unknown")
                            + " (Ctrl-C to stop)");
                    out.flush();
                }
                if (watchSeconds != null) {
                    done.await(watchSeconds, TimeUnit.SECONDS);
                } else {
                    done.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return 0;
    }

    // ---------------------------------------------------------------- text

    private void printSummary(PrintWriter out, DeviceInfo info, PowerStatus status) {
        if (root != null) {
            row(out, "Source", "captured tree " + root + " (not this host)");
        }
        if (!info.isJetson()) {
            row(out, "Device", "not a Jetson (host)");
            row(out, "CPU", info.cpuModel().orElse("unknown CPU") + ", " + cores(info.cpuCores()));
            row(out, "Memory", memory(info.memAvailableBytes(), info.memTotalBytes(), ""));
            if (info.gpus().isEmpty()) {
                row(out, "GPU", "no NVIDIA GPU found (nvidia-smi not available or reports none)");
            }
            for (GpuInfo g : info.gpus()) {
                List<String> parts = new ArrayList<>();
                g.computeCapability().ifPresent(c -> parts.add("compute " + c));
                if (g.memoryBytes().isPresent()) {
                    parts.add(gib(g.memoryBytes().getAsLong()));
                }
                g.driverVersion().ifPresent(d -> parts.add("driver " + d));
                row(out, "GPU", g.name() + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")"));
            }
            info.cudaVersion().ifPresent(v -> row(out, "CUDA", v));
            info.tensorRtVersion().ifPresent(v -> row(out, "TensorRT", v));
            bindings(out);
            row(out, "Power mode", "n/a (not a Jetson)");
            notes(out, status.notes(), info.notes());
            return;
        }
        row(out, "Device", info.displayName() + info.module().profileId().map(p -> "  [profile " + p + "]").orElse(""));
        info.model().ifPresent(m -> row(out, "Model", m));
        row(out, "SoC", info.soc().orElse("unknown") + info.cudaArch().map(a -> ", CUDA arch " + a).orElse(""));
        row(out, "L4T", info.l4t().map(DeviceCommand::l4t).orElse("unknown")
                + info.jetpack().map(j -> ", JetPack " + j.version() + (j.exact() ? "" : " (by series)")).orElse(""));
        row(out, "CUDA", info.cudaVersion().orElse("not found") + shipped(info.jetpack().flatMap(JetPackRelease::shippedCuda), info.cudaVersion()));
        row(out, "TensorRT", info.tensorRtVersion().orElse("not found")
                + shipped(info.jetpack().flatMap(JetPackRelease::shippedTensorRt), info.tensorRtVersion()));
        bindings(out);
        Telemetry t = status.telemetry();
        PowerState st = status.state();
        String cpuLine = info.cpuModel().orElse("CPU") + ", " + cores(info.cpuCores())
                + st.onlineCores().stream().mapToObj(n -> ", " + n + " online").collect(Collectors.joining())
                + t.cpuLoadPercent().stream().mapToObj(l -> ", load " + pct(l)).collect(Collectors.joining());
        row(out, "CPU", cpuLine);
        row(out, "Memory", memory(st.memAvailableBytes(), info.memTotalBytes(), " (unified: shared with the GPU)"));

        Optional<CurrentPowerMode> mode = status.mode().current();
        if (mode.isPresent()) {
            CurrentPowerMode m = mode.get();
            row(out, "Power mode", m.name() + " (id " + m.id() + (st.superConf() ? ", super conf" : "") + ", from "
                    + (m.source() == CurrentPowerMode.Source.STATUS_FILE ? PowerModeReader.STATUS_FILE : "nvpmodel -q") + ")");
        } else {
            row(out, "Power mode", "unknown");
        }
        status.profileMode().ifPresent(pm -> row(out, "  caps", caps(pm)));
        row(out, "  budget", st.budgetW().isPresent() ? num(st.budgetW().getAsDouble()) + " W" : "none (uncapped or unknown)");

        List<String> gpu = new ArrayList<>();
        t.gpuCurMHz().ifPresent(v -> gpu.add(num(v) + " MHz"));
        st.gpuMaxMHz().ifPresent(v -> gpu.add("max " + num(v) + " MHz"));
        t.gpuLoadPercent().ifPresent(v -> gpu.add("load " + pct(v)));
        row(out, "GPU", gpu.isEmpty() ? "no readings" : String.join(", ", gpu));
        List<String> emc = new ArrayList<>();
        t.emcCurMHz().ifPresent(v -> emc.add(num(v) + " MHz"));
        t.emcLoadPercent().ifPresent(v -> emc.add("load " + pct(v)));
        emc.add(t.emcCapMHz().isPresent() ? "cap " + num(t.emcCapMHz().getAsDouble()) + " MHz" : "no cap");
        row(out, "EMC", String.join(", ", emc));
        ThermalState th = status.thermal();
        row(out, "Thermal", (th.throttling() ? "THROTTLING: " : "ok: ") + th.reason());
        if (!t.thermalZones().isEmpty()) {
            row(out, "  zones", t.thermalZones().stream().map(z -> z.name() + " " + num(z.celsius()) + " C").collect(Collectors.joining(", ")));
        }
        if (t.totalPowerMw().isPresent()) {
            row(out, "Power", String.format(Locale.ROOT, "%.2f W total", t.totalPowerMw().getAsDouble() / 1000)
                    + t.totalPowerRail().map(r -> " (" + r + ")").orElse(" (sum of rails; no VDD_IN)"));
            row(out, "  rails", t.rails().stream().map(r -> r.name() + " " + Math.round(r.powerMw()) + " mW").collect(Collectors.joining(", ")));
        } else {
            row(out, "Power", "no rail readings");
        }
        row(out, "Telemetry", "from " + t.source().name().toLowerCase(Locale.ROOT));
        notes(out, status.notes(), info.notes());
    }

    /** Whether this process can load the TensorRT Java bindings (not meaningful for a captured --root tree). */
    private void bindings(PrintWriter out) {
        if (assumed) {
            row(out, "TRT Java", assumedUnavailable.map(w -> "do not load (as assumed): " + w).orElse("load (as assumed)"));
        } else if (root == null) {
            row(out, "TRT Java", Bindings.tensorRt());
        }
    }

    private static void row(PrintWriter out, String label, String value) {
        out.printf(Locale.ROOT, "%-12s%s%n", label, value);
    }

    private static void notes(PrintWriter out, List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(b);
        a.stream().filter(n -> !all.contains(n)).forEach(all::add);
        if (all.isEmpty()) {
            return;
        }
        out.println("Notes");
        all.forEach(n -> out.println("  - " + n));
    }

    private static String l4t(L4tVersion v) {
        return v + " (from " + v.source() + ")";
    }

    private static String shipped(Optional<String> shipped, Optional<String> found) {
        if (shipped.isEmpty() || found.map(f -> f.startsWith(shipped.get())).orElse(false)) {
            return "";
        }
        return "  (JetPack ships " + shipped.get() + ")";
    }

    private static String caps(ProfileMode pm) {
        List<String> parts = new ArrayList<>();
        pm.onlineCores().ifPresent(c -> parts.add(c + " cores"));
        parts.add("CPU " + cap(pm.cpuMaxMHz(), pm.isUncapped("cpu")));
        parts.add("GPU " + cap(pm.gpuMaxMHz(), pm.isUncapped("gpu")));
        parts.add("EMC " + cap(pm.emcMaxMHz(), pm.isUncapped("emc")));
        if (pm.dlaCores() > 0) {
            parts.add(pm.dlaCores() + " DLA" + (pm.dlaMaxMHz().isEmpty() ? "" : " "
                    + pm.dlaMaxMHz().stream().map(DeviceCommand::num).collect(Collectors.joining("/")) + " MHz"));
        }
        return String.join(", ", parts);
    }

    private static String cap(OptionalDouble mhz, boolean uncapped) {
        if (uncapped) {
            return mhz.isPresent() ? "uncapped (" + num(mhz.getAsDouble()) + " MHz)" : "uncapped";
        }
        return mhz.isPresent() ? num(mhz.getAsDouble()) + " MHz" : "unknown";
    }

    private static String memory(OptionalLong available, OptionalLong total, String suffix) {
        if (available.isEmpty() && total.isEmpty()) {
            return "unknown";
        }
        return (available.isPresent() ? gib(available.getAsLong()) + " available" : "available unknown")
                + (total.isPresent() ? " of " + gib(total.getAsLong()) : "") + suffix;
    }

    private static String cores(int n) {
        return n > 0 ? n + " cores" : "cores unknown";
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v);
    }

    /** A number without a trailing ".0", at most two decimals. */
    private static String num(double v) {
        if (v == Math.rint(v)) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }

    // ---------------------------------------------------------------- JSON

    private JsonObject toJson(DeviceInfo info, PowerStatus status) {
        JsonObject o = new JsonObject();
        o.addProperty("root", root == null ? "/" : root.toString());
        o.addProperty("captured", root != null);
        if (root == null || assumed) {
            JsonObject b = new JsonObject();
            Optional<String> why = assumed ? assumedUnavailable : Bindings.tensorRtUnavailable();
            b.addProperty("load", why.isEmpty());
            why.ifPresent(w -> b.addProperty("reason", w));
            o.add("tensorRtJavaBindings", b);
        }

        JsonObject d = new JsonObject();
        d.addProperty("jetson", info.isJetson());
        d.addProperty("module", info.module().name());
        d.addProperty("displayName", info.displayName());
        d.addProperty("superVariant", info.superVariant());
        info.module().profileId().ifPresent(p -> d.addProperty("profileId", p));
        info.model().ifPresent(m -> d.addProperty("model", m));
        d.add("compatible", strings(info.compatible()));
        info.soc().ifPresent(s -> d.addProperty("soc", s));
        info.cudaArch().ifPresent(s -> d.addProperty("cudaArch", s));
        info.l4t().ifPresent(l -> {
            JsonObject lo = new JsonObject();
            lo.addProperty("version", l.toString());
            lo.addProperty("raw", l.raw());
            lo.addProperty("source", l.source());
            d.add("l4t", lo);
        });
        info.jetpack().ifPresent(j -> {
            JsonObject jo = new JsonObject();
            jo.addProperty("version", j.version());
            jo.addProperty("exact", j.exact());
            j.shippedCuda().ifPresent(v -> jo.addProperty("shippedCuda", v));
            j.shippedTensorRt().ifPresent(v -> jo.addProperty("shippedTensorRt", v));
            d.add("jetpack", jo);
        });
        info.cudaVersion().ifPresent(v -> d.addProperty("cuda", v));
        info.tensorRtVersion().ifPresent(v -> d.addProperty("tensorRt", v));
        JsonObject cpu = new JsonObject();
        info.cpuModel().ifPresent(m -> cpu.addProperty("model", m));
        cpu.addProperty("cores", info.cpuCores());
        d.add("cpu", cpu);
        JsonObject mem = new JsonObject();
        put(mem, "totalBytes", info.memTotalBytes());
        put(mem, "availableBytes", status.state().memAvailableBytes().isPresent() ? status.state().memAvailableBytes() : info.memAvailableBytes());
        d.add("memory", mem);
        JsonArray gpus = new JsonArray();
        for (GpuInfo g : info.gpus()) {
            JsonObject go = new JsonObject();
            go.addProperty("name", g.name());
            g.computeCapability().ifPresent(c -> go.addProperty("computeCapability", c));
            put(go, "memoryBytes", g.memoryBytes());
            g.driverVersion().ifPresent(v -> go.addProperty("driverVersion", v));
            gpus.add(go);
        }
        d.add("gpus", gpus);
        o.add("device", d);

        JsonObject p = new JsonObject();
        status.mode().current().ifPresent(m -> p.add("mode", modeJson(m)));
        if (info.isJetson()) {
            p.addProperty("confPath", status.mode().confPath());
        }
        status.profileMode().ifPresent(pm -> p.add("profileMode", profileModeJson(pm)));
        PowerState st = status.state();
        JsonObject so = new JsonObject();
        st.modeName().ifPresent(n -> so.addProperty("modeName", n));
        put(so, "budgetW", st.budgetW());
        put(so, "onlineCores", st.onlineCores());
        put(so, "gpuMaxMHz", st.gpuMaxMHz());
        put(so, "memAvailableBytes", st.memAvailableBytes());
        so.addProperty("superConf", st.superConf());
        so.addProperty("simulated", st.simulated());
        p.add("state", so);
        p.add("thermal", thermalJson(status.thermal()));
        o.add("power", p);
        o.add("telemetry", telemetryJson(status.telemetry()));

        List<String> notes = new ArrayList<>(info.notes());
        status.notes().stream().filter(n -> !notes.contains(n)).forEach(notes::add);
        o.add("notes", strings(notes));
        return o;
    }

    private static JsonObject modeJson(CurrentPowerMode m) {
        JsonObject o = new JsonObject();
        o.addProperty("name", m.name());
        o.addProperty("id", m.id());
        o.addProperty("source", m.source().name());
        return o;
    }

    private static JsonObject profileModeJson(ProfileMode pm) {
        JsonObject o = new JsonObject();
        o.addProperty("name", pm.name());
        o.addProperty("id", pm.id());
        o.addProperty("superConf", pm.superConf());
        o.addProperty("default", pm.isDefault());
        put(o, "budgetW", pm.budgetW());
        put(o, "onlineCores", pm.onlineCores());
        put(o, "cpuMaxMHz", pm.cpuMaxMHz());
        put(o, "gpuMaxMHz", pm.gpuMaxMHz());
        put(o, "emcMaxMHz", pm.emcMaxMHz());
        o.addProperty("dlaCores", pm.dlaCores());
        JsonArray dla = new JsonArray();
        pm.dlaMaxMHz().forEach(dla::add);
        o.add("dlaMaxMHz", dla);
        o.add("uncapped", strings(pm.uncapped().stream().sorted().toList()));
        return o;
    }

    private static JsonObject thermalJson(ThermalState s) {
        JsonObject o = new JsonObject();
        o.addProperty("throttling", s.throttling());
        o.addProperty("clockLimited", s.clockLimited());
        o.addProperty("thresholdC", s.thresholdCelsius());
        s.hottest().ifPresent(z -> {
            o.addProperty("hottestZone", z.name());
            o.addProperty("hottestC", z.celsius());
        });
        o.addProperty("reason", s.reason());
        return o;
    }

    private static JsonObject telemetryJson(Telemetry t) {
        JsonObject o = new JsonObject();
        o.addProperty("source", t.source().name());
        JsonObject gpu = new JsonObject();
        put(gpu, "curMHz", t.gpuCurMHz());
        put(gpu, "maxMHz", t.gpuMaxMHz());
        put(gpu, "loadPercent", t.gpuLoadPercent());
        o.add("gpu", gpu);
        JsonArray cpus = new JsonArray();
        for (CpuCoreReading c : t.cpus()) {
            JsonObject co = new JsonObject();
            co.addProperty("index", c.index());
            co.addProperty("online", c.online());
            put(co, "curMHz", c.curMHz());
            put(co, "maxMHz", c.maxMHz());
            put(co, "loadPercent", c.loadPercent());
            cpus.add(co);
        }
        o.add("cpus", cpus);
        put(o, "cpuLoadPercent", t.cpuLoadPercent());
        JsonObject emc = new JsonObject();
        put(emc, "curMHz", t.emcCurMHz());
        put(emc, "capMHz", t.emcCapMHz());
        put(emc, "loadPercent", t.emcLoadPercent());
        o.add("emc", emc);
        JsonArray zones = new JsonArray();
        for (ThermalZoneReading z : t.thermalZones()) {
            JsonObject zo = new JsonObject();
            zo.addProperty("name", z.name());
            zo.addProperty("celsius", z.celsius());
            put(zo, "passiveTripC", z.passiveTripCelsius());
            zones.add(zo);
        }
        o.add("thermalZones", zones);
        JsonArray rails = new JsonArray();
        for (RailReading r : t.rails()) {
            JsonObject ro = new JsonObject();
            ro.addProperty("name", r.name());
            put(ro, "voltageMv", r.voltageMv());
            put(ro, "currentMa", r.currentMa());
            ro.addProperty("powerMw", r.powerMw());
            put(ro, "averageMw", r.averageMw());
            rails.add(ro);
        }
        o.add("rails", rails);
        put(o, "totalPowerMw", t.totalPowerMw());
        t.totalPowerRail().ifPresent(r -> o.addProperty("totalPowerRail", r));
        put(o, "memAvailableBytes", t.memAvailableBytes());
        return o;
    }

    private static JsonArray strings(List<String> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    private static void put(JsonObject o, String key, OptionalDouble v) {
        if (v.isPresent()) {
            o.addProperty(key, v.getAsDouble());
        }
    }

    private static void put(JsonObject o, String key, OptionalLong v) {
        if (v.isPresent()) {
            o.addProperty(key, v.getAsLong());
        }
    }

    private static void put(JsonObject o, String key, OptionalInt v) {
        if (v.isPresent()) {
            o.addProperty(key, v.getAsInt());
        }
    }
}
