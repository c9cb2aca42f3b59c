package io.jedge.runtime.power;

import io.jedge.runtime.device.CommandResult;
import io.jedge.runtime.device.DeviceDetector;
import io.jedge.runtime.device.HostAccess;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads telemetry from world-readable sysfs and procfs (GPU devfreq and load, cpufreq and
 * {@code /proc/stat}, the nvpmodel EMC cap, thermal zones, INA3221 rails, {@code MemAvailable}),
 * with privileged debugfs nodes as optional extras and one {@code tegrastats} line as the fallback
 * when sysfs yields nothing.
 *
 * <p>CPU load is the busy share since the previous {@link #read()} on this instance (since boot
 * on the first). Thread-safe.
 */
public final class TelemetryReader {
    static final List<String> GPU_DEVFREQ_DIRS = List.of(
            "/sys/devices/platform/bus@0/17000000.gpu/devfreq/17000000.gpu",
            "/sys/devices/platform/17000000.gpu/devfreq_dev",
            "/sys/devices/17000000.ga10b/devfreq/17000000.ga10b",
            "/sys/devices/57000000.gpu/devfreq/57000000.gpu",
            "/sys/devices/gpu.0/devfreq/57000000.gpu");
    static final List<String> GPU_LOAD_FILES = List.of(
            "/sys/devices/platform/gpu.0/load",
            "/sys/devices/gpu.0/load",
            "/sys/devices/platform/bus@0/17000000.gpu/load");
    static final List<String> EMC_CAP_FILES = List.of("/sys/kernel/nvpmodel_clk_cap/emc", "/sys/kernel/nvpmodel_emc_cap/emc_iso_cap");
    static final List<String> EMC_RATE_FILES = List.of("/sys/kernel/debug/bpmp/debug/clk/emc/rate", "/sys/kernel/debug/clk/override.emc/clk_rate");
    static final List<String> EMC_ACTIVITY_FILES = List.of("/sys/kernel/actmon_avg_activity/mc_all", "/sys/kernel/debug/cactmon/mc_all",
            "/sys/kernel/debug/bpmp/debug/actmon/mc_all_avg_activity");
    static final List<String> TEGRASTATS = List.of("timeout", "3", "tegrastats", "--interval", "1000");
    private static final double OFFLINE_C = -256.0;
    private static final Pattern CPU_STAT = Pattern.compile("^cpu(\\d+)\\s+(.*)$");

    private final HostAccess env;
    private final Map<Integer, long[]> lastStat = new HashMap<>();

    public TelemetryReader(HostAccess env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    /** Sysfs telemetry, or one tegrastats line when sysfs gives nothing. */
    public synchronized Telemetry read() {
        Telemetry sysfs = readSysfs();
        if (sysfs.source() != Telemetry.Source.NONE) {
            return sysfs;
        }
        List<String> notes = new ArrayList<>(sysfs.notes());
        Optional<CommandResult> r = env.run(TEGRASTATS, notes);
        if (r.isPresent()) {
            Optional<String> line = r.get().stdout().lines().filter(l -> l.contains("RAM ") || l.contains("CPU [")).findFirst();
            if (line.isPresent()) {
                notes.add("sysfs telemetry unavailable; values from one tegrastats line");
                return TegrastatsParser.parse(line.get(), notes);
            }
            notes.add("tegrastats (exit " + r.get().exitCode() + ") printed no stats line");
        }
        return new Telemetry(Telemetry.Source.NONE, OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(),
                List.of(), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(),
                List.of(), List.of(), OptionalDouble.empty(), Optional.empty(), sysfs.memAvailableBytes(), notes);
    }

    /** Sysfs/procfs only; source {@link Telemetry.Source#NONE} when no Jetson node was readable. */
    public synchronized Telemetry readSysfs() {
        List<String> notes = new ArrayList<>();
        OptionalDouble gpuCur = OptionalDouble.empty();
        OptionalDouble gpuMax = OptionalDouble.empty();
        Optional<String> devfreq = gpuDevfreqDir(notes);
        if (devfreq.isPresent()) {
            gpuCur = number(devfreq.get() + "/cur_freq", notes, 1e-6);
            gpuMax = number(devfreq.get() + "/max_freq", notes, 1e-6);
        } else {
            notes.add("GPU devfreq node not found");
        }
        OptionalDouble gpuLoad = OptionalDouble.empty();
        for (String f : GPU_LOAD_FILES) {
            if (env.exists(f)) {
                gpuLoad = number(f, notes, 0.1); // per mille
                break;
            }
        }

        List<CpuCoreReading> cpus = cpus(notes);
        OptionalDouble cpuLoad = cpus.stream().filter(CpuCoreReading::online)
                .filter(c -> c.loadPercent().isPresent()).mapToDouble(c -> c.loadPercent().getAsDouble()).average();

        OptionalDouble emcCap = OptionalDouble.empty();
        for (String f : EMC_CAP_FILES) {
            if (env.exists(f)) {
                OptionalDouble v = number(f, notes, 1e-6);
                emcCap = v.isPresent() && v.getAsDouble() > 0 ? v : OptionalDouble.empty();
                break;
            }
        }
        OptionalDouble emcCur = firstNumber(EMC_RATE_FILES, notes, 1e-6);
        OptionalDouble emcLoad = OptionalDouble.empty();
        OptionalDouble activity = firstNumber(EMC_ACTIVITY_FILES, notes, 1);
        if (activity.isPresent() && emcCur.isPresent() && emcCur.getAsDouble() > 0) {
            emcLoad = OptionalDouble.of(Math.min(100, 100 * activity.getAsDouble() / (emcCur.getAsDouble() * 1000)));
        }

        List<ThermalZoneReading> zones = readThermal(notes);
        List<RailReading> rails = rails(notes);
        TotalPower total = TotalPower.of(rails);
        OptionalLong memAvailable = memAvailable(notes);

        boolean any = devfreq.isPresent() || gpuLoad.isPresent() || !zones.isEmpty() || !rails.isEmpty()
                || cpus.stream().anyMatch(c -> c.curMHz().isPresent());
        return new Telemetry(any ? Telemetry.Source.SYSFS : Telemetry.Source.NONE, gpuCur, gpuMax, gpuLoad, cpus, cpuLoad,
                emcCur, emcCap, emcLoad, zones, rails, total.mw(), total.rail(), memAvailable, notes);
    }

    /** Thermal zones with readable temperatures; offline ({@code -256}) and fake PMIC zones are skipped. */
    public List<ThermalZoneReading> readThermal(List<String> notes) {
        List<ThermalZoneReading> out = new ArrayList<>();
        String base = "/sys/devices/virtual/thermal";
        for (String zone : env.list(base, notes)) {
            if (!zone.startsWith("thermal_zone")) {
                continue;
            }
            String dir = base + "/" + zone;
            Optional<String> type = env.readValue(dir + "/type", notes);
            Optional<String> temp = env.readValue(dir + "/temp", notes);
            if (type.isEmpty() || temp.isEmpty()) {
                continue;
            }
            double c;
            try {
                c = Long.parseLong(temp.get()) / 1000.0;
            } catch (NumberFormatException e) {
                notes.add(dir + "/temp: '" + temp.get() + "' is not a millidegree integer");
                continue;
            }
            // PMIC-Die always reads a fixed 100 C on Nano.
            if (c <= OFFLINE_C || type.get().startsWith("PMIC")) {
                continue;
            }
            out.add(new ThermalZoneReading(type.get(), c, passiveTrip(dir, notes)));
        }
        return out;
    }

    private OptionalDouble passiveTrip(String dir, List<String> notes) {
        double best = Double.MAX_VALUE;
        for (String f : env.list(dir, notes)) {
            Matcher m = Pattern.compile("trip_point_(\\d+)_type").matcher(f);
            if (m.matches() && env.readValue(dir + "/" + f, notes).filter("passive"::equals).isPresent()) {
                OptionalDouble t = number(dir + "/trip_point_" + m.group(1) + "_temp", notes, 1e-3);
                if (t.isPresent()) {
                    best = Math.min(best, t.getAsDouble());
                }
            }
        }
        return best == Double.MAX_VALUE ? OptionalDouble.empty() : OptionalDouble.of(best);
    }

    private Optional<String> gpuDevfreqDir(List<String> notes) {
        for (String d : GPU_DEVFREQ_DIRS) {
            if (env.exists(d + "/cur_freq")) {
                return Optional.of(d);
            }
        }
        for (String name : env.list("/sys/class/devfreq", notes)) {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            if ((n.contains("gpu") || n.contains("ga10b") || n.contains("gv11b") || n.contains("gp10b"))
                    && env.exists("/sys/class/devfreq/" + name + "/cur_freq")) {
                return Optional.of("/sys/class/devfreq/" + name);
            }
        }
        return Optional.empty();
    }

    private List<CpuCoreReading> cpus(List<String> notes) {
        Optional<String> present = env.readValue("/sys/devices/system/cpu/present", notes);
        if (present.isEmpty()) {
            return List.of();
        }
        Set<Integer> onlineSet = env.readValue("/sys/devices/system/cpu/online", notes)
                .map(s -> (Set<Integer>) new LinkedHashSet<>(DeviceDetector.parseRange(s))).orElse(null);
        Map<Integer, long[]> stat = procStat(notes);
        List<CpuCoreReading> out = new ArrayList<>();
        for (int cpu : DeviceDetector.parseRange(present.get())) {
            String dir = "/sys/devices/system/cpu/cpu" + cpu;
            boolean online;
            if (onlineSet != null) {
                online = onlineSet.contains(cpu);
            } else {
                online = env.readValue(dir + "/online", notes).map("1"::equals).orElse(true);
            }
            OptionalDouble cur = online ? number(dir + "/cpufreq/scaling_cur_freq", notes, 1e-3) : OptionalDouble.empty();
            OptionalDouble max = online ? number(dir + "/cpufreq/scaling_max_freq", notes, 1e-3) : OptionalDouble.empty();
            OptionalDouble load = OptionalDouble.empty();
            long[] now = stat.get(cpu);
            if (online && now != null) {
                long[] prev = lastStat.get(cpu);
                long busy = now[0] - (prev == null ? 0 : prev[0]);
                long total = now[1] - (prev == null ? 0 : prev[1]);
                if (total > 0) {
                    load = OptionalDouble.of(100.0 * busy / total);
                }
            }
            out.add(new CpuCoreReading(cpu, online, cur, max, load));
        }
        lastStat.clear();
        lastStat.putAll(stat);
        return out;
    }

    /** Per-core {busy, total} jiffies from {@code /proc/stat}. */
    private Map<Integer, long[]> procStat(List<String> notes) {
        Map<Integer, long[]> out = new HashMap<>();
        Optional<String> text = env.readText("/proc/stat", notes);
        if (text.isEmpty()) {
            return out;
        }
        for (String l : text.get().lines().toList()) {
            Matcher m = CPU_STAT.matcher(l);
            if (!m.matches()) {
                continue;
            }
            String[] f = m.group(2).trim().split("\\s+");
            long total = 0;
            long idle = 0;
            try {
                for (int i = 0; i < f.length && i < 8; i++) { // user..steal; guest is already in user
                    long v = Long.parseLong(f[i]);
                    total += v;
                    if (i == 3 || i == 4) {
                        idle += v; // idle + iowait
                    }
                }
            } catch (NumberFormatException e) {
                continue;
            }
            out.put(Integer.parseInt(m.group(1)), new long[] {total - idle, total});
        }
        return out;
    }

    private List<RailReading> rails(List<String> notes) {
        Set<String> deviceDirs = new LinkedHashSet<>();
        Set<String> seen = new java.util.HashSet<>();
        for (String driver : List.of("ina3221", "ina3221x")) {
            String base = "/sys/bus/i2c/drivers/" + driver;
            for (String dev : env.list(base, notes)) {
                if (dev.matches("\\d+-[0-9a-fA-F]{4}") && seen.add(dev)) {
                    deviceDirs.add(base + "/" + dev);
                }
            }
        }
        for (String dev : env.list("/sys/bus/i2c/devices", notes)) {
            String dir = "/sys/bus/i2c/devices/" + dev;
            if (!seen.contains(dev) && env.readValue(dir + "/name", notes).filter(n -> n.startsWith("ina3221")).isPresent()) {
                seen.add(dev);
                deviceDirs.add(dir);
            }
        }
        List<RailReading> out = new ArrayList<>();
        for (String dir : deviceDirs) {
            for (String hw : env.list(dir + "/hwmon", notes)) {
                if (hw.startsWith("hwmon")) {
                    hwmonRails(dir + "/hwmon/" + hw, out, notes);
                }
            }
            for (String iio : env.list(dir, notes)) {
                if (iio.startsWith("iio:device")) {
                    iioRails(dir + "/" + iio, out, notes);
                }
            }
        }
        return out;
    }

    private void hwmonRails(String dir, List<RailReading> out, List<String> notes) {
        for (int ch = 1; ch <= 6; ch++) { // channel 7 is the sum of shunt voltages
            Optional<String> label = env.readValue(dir + "/in" + ch + "_label", notes);
            if (label.isEmpty() || skipRail(label.get())) {
                continue;
            }
            OptionalDouble mv = number(dir + "/in" + ch + "_input", notes, 1);
            OptionalDouble ma = number(dir + "/curr" + ch + "_input", notes, 1);
            if (mv.isEmpty() || ma.isEmpty()) {
                notes.add(dir + ": rail " + label.get() + " has no voltage or current reading");
                continue;
            }
            out.add(new RailReading(label.get(), mv, ma, mv.getAsDouble() * ma.getAsDouble() / 1000.0, OptionalDouble.empty()));
        }
    }

    private void iioRails(String dir, List<RailReading> out, List<String> notes) {
        for (int ch = 0; ch <= 2; ch++) {
            Optional<String> label = env.readValue(dir + "/rail_name_" + ch, notes);
            if (label.isEmpty() || skipRail(label.get())) {
                continue;
            }
            OptionalDouble mw = number(dir + "/in_power" + ch + "_input", notes, 1);
            OptionalDouble mv = number(dir + "/in_voltage" + ch + "_input", notes, 1);
            OptionalDouble ma = number(dir + "/in_current" + ch + "_input", notes, 1);
            if (mw.isEmpty() && mv.isPresent() && ma.isPresent()) {
                mw = OptionalDouble.of(mv.getAsDouble() * ma.getAsDouble() / 1000.0);
            }
            if (mw.isEmpty()) {
                notes.add(dir + ": rail " + label.get() + " has no power reading");
                continue;
            }
            out.add(new RailReading(label.get(), mv, ma, mw.getAsDouble(), OptionalDouble.empty()));
        }
    }

    private static boolean skipRail(String label) {
        return label.equals("NC") || label.startsWith("NC ") || label.startsWith("NC_") || label.toLowerCase(java.util.Locale.ROOT).contains("sum of shunt");
    }

    private OptionalLong memAvailable(List<String> notes) {
        Optional<String> text = env.readText("/proc/meminfo", notes);
        if (text.isPresent()) {
            Matcher m = Pattern.compile("(?m)^MemAvailable:\\s+(\\d+)\\s*kB").matcher(text.get());
            if (m.find()) {
                return OptionalLong.of(Long.parseLong(m.group(1)) * 1024L);
            }
        }
        return OptionalLong.empty();
    }

    private OptionalDouble firstNumber(List<String> files, List<String> notes, double scale) {
        for (String f : files) {
            if (env.exists(f)) {
                OptionalDouble v = number(f, notes, scale);
                if (v.isPresent()) {
                    return v;
                }
            }
        }
        return OptionalDouble.empty();
    }

    private OptionalDouble number(String path, List<String> notes, double scale) {
        Optional<String> v = env.readValue(path, notes);
        if (v.isEmpty()) {
            return OptionalDouble.empty();
        }
        try {
            return OptionalDouble.of(Double.parseDouble(v.get().split("\\s+")[0]) * scale);
        } catch (NumberFormatException e) {
            notes.add(path + ": '" + v.get() + "' is not a number");
            return OptionalDouble.empty();
        }
    }

    /** Total power: the input rail when there is one, else the sum of all rails. */
    record TotalPower(OptionalDouble mw, Optional<String> rail) {
        static TotalPower of(List<RailReading> rails) {
            for (String input : new String[] {"VDD_IN", "POM_5V_IN"}) {
                for (RailReading r : rails) {
                    if (r.name().equals(input)) {
                        return new TotalPower(OptionalDouble.of(r.powerMw()), Optional.of(input));
                    }
                }
            }
            return rails.isEmpty() ? new TotalPower(OptionalDouble.empty(), Optional.empty())
                    : new TotalPower(OptionalDouble.of(rails.stream().mapToDouble(RailReading::powerMw).sum()), Optional.empty());
        }
    }
}
