package io.jedge.samples.powerbench;

import io.jedge.sdk.AtomicFiles;
import com.google.gson.GsonBuilder;
import io.jedge.runtime.bench.BundleBench;
import io.jedge.runtime.bench.BundleBenchOptions;
import io.jedge.runtime.device.CommandResult;
import io.jedge.runtime.device.DeviceDetector;
import io.jedge.runtime.device.DeviceInfo;
import io.jedge.runtime.device.HostAccess;
import io.jedge.runtime.model.Environment;
import io.jedge.runtime.power.PowerProfile;
import io.jedge.runtime.power.PowerProfiles;
import io.jedge.runtime.power.ProfileMode;
import io.jedge.runtime.power.Telemetry;
import io.jedge.runtime.power.TelemetryReader;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.runtime.selection.SelectionRequest;
import io.jedge.runtime.selection.VariantSelector;
import io.jedge.cli.options.DeviceFlags;
import io.jedge.sdk.Goal;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The power-mode benchmark: which variant, at which power mode? Sweeps the device's nvpmodel modes
 * (on a Jetson, when permitted) × the bundle's variants × batch sizes, measures latency,
 * throughput and — where INA3221 rails exist — power and energy per inference; runs the selection
 * policy for simulated modules; writes CSV, JSON, a PNG chart and a Markdown report; stores the
 * figures in the bundle so the runtime's selection uses them.
 */
@Command(name = "power-bench", mixinStandardHelpOptions = true,
        description = "Sweep power modes x variants x batch sizes; write CSV, JSON, a chart and a report.")
public final class PowerBench implements Callable<Integer> {
    @Parameters(paramLabel = "BUNDLE")
    Path bundleDir;

    @Option(names = {"-o", "--output"}, defaultValue = "jedge-out/power-bench", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--batch", split = ",", defaultValue = "1,8")
    List<Integer> batches;

    @Option(names = "--seconds", defaultValue = "2", description = "Timed seconds per variant, batch and mode.")
    double seconds;

    @Option(names = "--sweep", description = "On a Jetson, set every nvpmodel mode in turn (needs root; restores the mode after).")
    boolean sweep;

    @Option(names = "--settle-seconds", defaultValue = "10", description = "Wait after a mode change for clocks to settle.")
    int settle;

    @Option(names = "--simulate-modules", paramLabel = "MODULES", split = ",", defaultValue = "jetson-nano,orin-nano-8gb,orin-nx-16gb,agx-orin-64gb",
            description = "Modules whose every mode the selection policy is run for (simulated, nothing is measured).")
    List<String> simulate;

    @Mixin
    DeviceFlags.Threads threads;

    @Option(names = "--no-record", description = "Do not store the figures in the bundle.")
    boolean noRecord;

    private final PrintStream log;

    public PowerBench() {
        this(System.out);
    }

    PowerBench(PrintStream log) {
        this.log = log;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new PowerBench()).execute(args));
    }

    /** One measured row. */
    public record Row(String device, String mode, boolean simulatedHost, String variant, String precision, String attention,
            String backend, int batch, double p50Ms, double p95Ms, double throughputPerSec, Double powerW, Double joulesPerInference) {
    }

    /** One simulated selection. */
    public record SimRow(String module, String mode, Double budgetW, String goal, String chosen, String source, String reason) {
    }

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        // before any mode is set and settled: the options and the simulated modules' profiles
        try {
            BundleBenchOptions.check(batches, seconds, threads.threads());
        } catch (io.jedge.runtime.bench.BenchOptionException e) {
            throw e.renamed(io.jedge.cli.options.BenchFlags.flag(e.parameter()));
        }
        if (settle < 0) {
            throw new IllegalArgumentException("--settle-seconds " + settle + ", expected 0 or more");
        }
        simulate.forEach(PowerProfiles::load);
        Files.createDirectories(out);
        Bundle bundle = Bundle.load(bundleDir);
        HostAccess host = HostAccess.system();
        DeviceInfo info = new DeviceDetector(host).detect();
        Environment env = Environment.detect(io.jedge.sdk.LoadOptions.defaults());
        List<ModeStep> modes = modes(host, info);
        log.println("power-bench on " + info.displayName() + (info.isJetson() ? "" : " (not a Jetson: measuring this host only, labelled 'host')"));
        List<Row> rows = new ArrayList<>();
        String restore = modes.isEmpty() ? null : modes.get(0).restoreId;
        try {
            for (ModeStep step : modes) {
                if (step.setId != null) {
                    log.println("setting power mode " + step.name + " (nvpmodel -m " + step.setId + "), settling " + settle + " s");
                    CommandResult r = host.commands().run(List.of("nvpmodel", "-m", step.setId));
                    if (r.exitCode() != 0) {
                        log.println("  could not set mode " + step.name + " (exit " + r.exitCode() + "): skipped");
                        continue;
                    }
                    Thread.sleep(settle * 1000L);
                }
                DeviceContext ctx = env.current();
                String mode = ctx.powerMode() == null ? "host" : ctx.powerMode();
                List<String> models = bundle.manifest().variants(Role.MODEL).stream().map(Variant::id).toList();
                TelemetryReader telemetry = new TelemetryReader(host);
                BundleBench.Outcome o = BundleBench.run(bundle, BundleBenchOptions.builder(ctx).variants(models).batches(batches).seconds(seconds)
                        .threads(threads.threads()).record(!noRecord).power(() -> new PowerSampler(telemetry).begin()).build(),
                        l -> log.println("  " + mode + "  " + l));
                bundle = o.bundle();
                for (BundleBench.Row r : o.rows()) {
                    Variant v = bundle.manifest().variant(r.variant()).orElseThrow();
                    rows.add(new Row(ctx.deviceId(), mode, !info.isJetson(), v.id(), v.precision().id(), v.attention().id(),
                            r.backend(), r.batch(), r.p50Ms(), r.p95Ms(), r.throughputPerSec(), r.powerW(), r.joulesPerInference()));
                }
            }
        } finally {
            if (restore != null) {
                log.println("restoring power mode " + restore);
                host.commands().run(List.of("nvpmodel", "-m", restore));
            }
        }
        List<SimRow> sims = simulate(bundle.manifest());
        write(rows, sims, info);
        log.println("wrote " + out.resolve("results.csv") + ", results.json, throughput.png, report.md");
        return rows.isEmpty() ? 1 : 0;
    }

    private record ModeStep(String name, String setId, String restoreId) {
    }

    /** The modes to measure: every conf mode when sweeping as root on a Jetson, else the current one. */
    private List<ModeStep> modes(HostAccess host, DeviceInfo info) {
        List<ModeStep> steps = new ArrayList<>();
        if (sweep && info.isJetson()) {
            boolean root = "root".equals(System.getProperty("user.name"));
            Optional<PowerProfile> p = PowerProfiles.forModule(info.module());
            if (!root) {
                log.println("--sweep needs root (sudo) to run nvpmodel -m; measuring the current mode only");
            } else if (p.isPresent()) {
                String current = String.valueOf(new io.jedge.runtime.power.PowerModeReader(host).read().current().map(m -> m.id()).orElse(0));
                for (ProfileMode m : p.get().modes(info.superVariant())) {
                    steps.add(new ModeStep(m.name(), String.valueOf(m.id()), current));
                }
                return steps;
            }
        }
        steps.add(new ModeStep("current", null, null));
        return steps;
    }

    /** The selection policy for every mode of the simulated modules, for both goals. */
    private List<SimRow> simulate(BundleManifest m) {
        List<SimRow> out = new ArrayList<>();
        VariantSelector.BackendResolver all = VariantSelector.ASSUME_RUNNABLE;
        for (String module : simulate) {
            PowerProfile p = PowerProfiles.load(module);
            for (ProfileMode mode : p.modes()) {
                for (Goal g : Goal.values()) {
                    DeviceContext ctx = Environment.simulate(module + ":" + mode.name()).current();
                    try {
                        VariantSelector.Result r = new VariantSelector(all).select(m, ctx,
                                new SelectionRequest(Role.MODEL, g, Precision.INT8, null, "auto", null, 0), Map.of());
                        out.add(new SimRow(module, mode.name(), mode.budgetW().isPresent() ? mode.budgetW().getAsDouble() : null,
                                g.name().toLowerCase(Locale.ROOT), r.chosen().variant().id(), r.chosen().source(), r.chosen().reason()));
                    } catch (RuntimeException e) {
                        out.add(new SimRow(module, mode.name(), null, g.name().toLowerCase(Locale.ROOT), "-", "none", e.getMessage()));
                    }
                }
            }
        }
        return out;
    }

    private void write(List<Row> rows, List<SimRow> sims, DeviceInfo info) throws IOException {
        StringBuilder csv = new StringBuilder("device,mode,host_not_jetson,variant,precision,attention,backend,batch,p50_ms,p95_ms,throughput_per_s,power_w,joules_per_inference\n");
        for (Row r : rows) {
            csv.append(String.join(",", r.device.replace(',', ' '), r.mode, String.valueOf(r.simulatedHost), r.variant, r.precision,
                    r.attention, r.backend, String.valueOf(r.batch), fmt(r.p50Ms), fmt(r.p95Ms), fmt(r.throughputPerSec),
                    r.powerW == null ? "" : fmt(r.powerW), r.joulesPerInference == null ? "" : fmt(r.joulesPerInference))).append('\n');
        }
        AtomicFiles.writeString(out.resolve("results.csv"), csv.toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("device", info.displayName());
        json.put("jetson", info.isJetson());
        json.put("measured", rows);
        json.put("simulatedSelection", sims);
        AtomicFiles.writeString(out.resolve("results.json"), new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(json));
        chart(rows);
        AtomicFiles.writeString(out.resolve("report.md"), report(rows, sims, info));
    }

    /** Throughput at each variant's best batch, per power mode: the paper's speed-vs-power view. */
    CategoryChart chart(List<Row> rows) throws IOException {
        CategoryChart c = new CategoryChartBuilder().width(900).height(520).title("Throughput by power mode (best batch)")
                .xAxisTitle("power mode").yAxisTitle("inferences / s").build();
        List<String> modes = rows.stream().map(Row::mode).distinct().toList();
        for (String variant : rows.stream().map(Row::variant).distinct().toList()) {
            List<Double> ys = new ArrayList<>();
            for (String mode : modes) {
                ys.add(rows.stream().filter(r -> r.variant.equals(variant) && r.mode.equals(mode))
                        .mapToDouble(Row::throughputPerSec).max().orElse(0));
            }
            c.addSeries(variant, modes, ys);
        }
        AtomicFiles.write(out.resolve("throughput.png"), os -> BitmapEncoder.saveBitmap(c, os, BitmapEncoder.BitmapFormat.PNG));
        return c;
    }

    private String report(List<Row> rows, List<SimRow> sims, DeviceInfo info) {
        StringBuilder b = new StringBuilder("# Power-mode benchmark\n\n");
        b.append("- device: ").append(info.displayName()).append(info.isJetson() ? "" : " — **not a Jetson**: figures are for this host, labelled `host`").append('\n');
        b.append("- date: ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append('\n');
        b.append("- batches: ").append(batches).append(", ").append(seconds).append(" s per point\n\n");
        b.append("## Measured\n\n| mode | variant | batch | p50 ms | p95 ms | /s | W | J/inference |\n|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.1f | %s | %s |%n", r.mode, r.variant, r.batch, r.p50Ms,
                    r.p95Ms, r.throughputPerSec, r.powerW == null ? "n/a" : fmt(r.powerW), r.joulesPerInference == null ? "n/a" : fmt(r.joulesPerInference)));
        }
        b.append("\n![throughput](throughput.png)\n\n## Selection policy on simulated modules (SIMULATED: nothing measured there)\n\n");
        b.append("| module | mode | budget W | goal | chosen | from | why |\n|---|---|---|---|---|---|---|\n");
        for (SimRow s : sims) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", s.module, s.mode, s.budgetW == null ? "-" : fmt(s.budgetW),
                    s.goal, s.chosen, s.source, s.reason.replace('|', '/').replace('\n', ' ')));
        }
        return b.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Averages total board power while a measurement runs; null where there is no power telemetry. */
    static final class PowerSampler implements BundleBench.PowerMeter.Sample {
        private final TelemetryReader reader;
        private final AtomicBoolean running = new AtomicBoolean();
        private final List<Double> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
        private Thread thread;

        PowerSampler(TelemetryReader reader) {
            this.reader = reader;
        }

        PowerSampler begin() {
            running.set(true);
            thread = new Thread(() -> {
                while (running.get()) {
                    Telemetry t = reader.read();
                    t.totalPowerMw().ifPresent(mw -> samples.add(mw / 1000.0));
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "power-sampler");
            thread.setDaemon(true);
            thread.start();
            return this;
        }

        @Override
        public Double stopWatts() {
            running.set(false);
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return samples.isEmpty() ? null : samples.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }
    }
}
