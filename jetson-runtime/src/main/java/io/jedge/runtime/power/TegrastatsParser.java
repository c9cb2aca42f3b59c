package io.jedge.runtime.power;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses one {@code tegrastats} line (JetPack 4 to 7 layouts) into {@link Telemetry}. Tolerant:
 * unknown fields are ignored, {@code off} and a percentage without {@code @MHz} are accepted.
 */
public final class TegrastatsParser {
    private static final Pattern DATE = Pattern.compile("^\\s*\\d+-\\d+-\\d+ \\d+:\\d+:\\d+\\s+");
    private static final Pattern RAM = Pattern.compile("\\bRAM (\\d+)/(\\d+)MB");
    private static final Pattern CPU = Pattern.compile("\\bCPU \\[([^\\]]*)\\]");
    private static final Pattern CPU_CORE = Pattern.compile("(\\d+)%@(\\d+)");
    private static final Pattern EMC = Pattern.compile("\\bEMC_FREQ (\\d+)%(?:@(\\d+))?");
    private static final Pattern GR3D = Pattern.compile("\\bGR3D_FREQ (?:(\\d+)%)?(?:@\\[?([\\d,]+)\\]?)?");
    private static final Pattern TEMP = Pattern.compile("\\b([A-Za-z][\\w-]*)@(-?\\d+(?:\\.\\d+)?)C\\b");
    private static final Pattern RAIL = Pattern.compile("\\b([A-Z][A-Z0-9_]*) (\\d+)(?:mW)?/(\\d+)(?:mW)?(?:/\\d+(?:mW)?)?(?=\\s|$)");
    private static final Set<String> NOT_RAILS = Set.of("RAM", "SWAP", "IRAM", "CPU", "EMC_FREQ", "GR3D_FREQ", "GR3D2_FREQ");

    private TegrastatsParser() {
    }

    /** Parses {@code line}; {@code notes} are carried into the result. */
    public static Telemetry parse(String line, List<String> notes) {
        List<String> n = new ArrayList<>(notes);
        String s = DATE.matcher(line).replaceFirst("");

        OptionalLong memAvailable = OptionalLong.empty();
        Matcher ram = RAM.matcher(s);
        if (ram.find()) {
            long used = Long.parseLong(ram.group(1));
            long total = Long.parseLong(ram.group(2));
            memAvailable = OptionalLong.of(Math.max(0, total - used) * 1024L * 1024L);
        }

        List<CpuCoreReading> cpus = new ArrayList<>();
        Matcher cpu = CPU.matcher(s);
        if (cpu.find()) {
            String[] cores = cpu.group(1).split(",");
            for (int i = 0; i < cores.length; i++) {
                String c = cores[i].trim();
                Matcher cm = CPU_CORE.matcher(c);
                if (cm.matches()) {
                    cpus.add(new CpuCoreReading(i, true, OptionalDouble.of(Double.parseDouble(cm.group(2))), OptionalDouble.empty(),
                            OptionalDouble.of(Double.parseDouble(cm.group(1)))));
                } else {
                    boolean online = !c.equals("off");
                    OptionalDouble load = c.endsWith("%") ? OptionalDouble.of(Double.parseDouble(c.substring(0, c.length() - 1)))
                            : OptionalDouble.empty();
                    cpus.add(new CpuCoreReading(i, online, OptionalDouble.empty(), OptionalDouble.empty(), load));
                }
            }
        }
        OptionalDouble cpuLoad = cpus.stream().filter(c -> c.online() && c.loadPercent().isPresent())
                .mapToDouble(c -> c.loadPercent().getAsDouble()).average();

        OptionalDouble emcLoad = OptionalDouble.empty();
        OptionalDouble emcCur = OptionalDouble.empty();
        Matcher emc = EMC.matcher(s);
        if (emc.find()) {
            emcLoad = OptionalDouble.of(Double.parseDouble(emc.group(1)));
            if (emc.group(2) != null) {
                emcCur = OptionalDouble.of(Double.parseDouble(emc.group(2)));
            }
        }

        OptionalDouble gpuLoad = OptionalDouble.empty();
        OptionalDouble gpuCur = OptionalDouble.empty();
        Matcher gr = GR3D.matcher(s);
        if (gr.find()) {
            if (gr.group(1) != null) {
                gpuLoad = OptionalDouble.of(Double.parseDouble(gr.group(1)));
            }
            if (gr.group(2) != null) {
                // Per-GPC list on JP5.1.2+: report the highest GPC clock.
                double max = 0;
                for (String f : gr.group(2).split(",")) {
                    if (!f.isEmpty()) {
                        max = Math.max(max, Double.parseDouble(f));
                    }
                }
                gpuCur = OptionalDouble.of(max);
            }
        }

        List<ThermalZoneReading> zones = new ArrayList<>();
        Matcher t = TEMP.matcher(s);
        while (t.find()) {
            String name = t.group(1);
            double c = Double.parseDouble(t.group(2));
            if (c <= -256 || name.startsWith("PMIC")) {
                continue;
            }
            zones.add(new ThermalZoneReading(name, c, OptionalDouble.empty()));
        }

        List<RailReading> rails = new ArrayList<>();
        Matcher r = RAIL.matcher(s);
        while (r.find()) {
            if (NOT_RAILS.contains(r.group(1))) {
                continue;
            }
            rails.add(new RailReading(r.group(1), OptionalDouble.empty(), OptionalDouble.empty(), Double.parseDouble(r.group(2)),
                    OptionalDouble.of(Double.parseDouble(r.group(3)))));
        }
        TelemetryReader.TotalPower total = TelemetryReader.TotalPower.of(rails);
        boolean any = !cpus.isEmpty() || gpuLoad.isPresent() || !zones.isEmpty() || !rails.isEmpty() || memAvailable.isPresent();
        if (!any) {
            n.add("tegrastats line has no recognisable fields: '" + line + "'");
        }
        return new Telemetry(any ? Telemetry.Source.TEGRASTATS : Telemetry.Source.NONE, gpuCur, OptionalDouble.empty(), gpuLoad,
                cpus, cpuLoad, emcCur, OptionalDouble.empty(), emcLoad, zones, rails, total.mw(), total.rail(), memAvailable, n);
    }

    /** Parses {@code line} with no prior notes. */
    public static Telemetry parse(String line) {
        return parse(line, List.of());
    }

    static Optional<String> firstStatsLine(String stdout) {
        return stdout.lines().filter(l -> l.contains("RAM ") || l.contains("CPU [")).findFirst();
    }
}
