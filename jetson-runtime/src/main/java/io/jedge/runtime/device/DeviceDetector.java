package io.jedge.runtime.device;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identifies the host: Jetson module and releases, or CPU and discrete GPU elsewhere.
 *
 * <p>Detection order: device-tree {@code compatible} (is it a Tegra, which SKU, super or not),
 * line 1 of {@code /etc/nv_tegra_release} else the {@code nvidia-l4t-core} package version, the
 * JetPack table, then installed CUDA/TensorRT and {@code /proc/meminfo}. It never throws for
 * missing or unreadable files. Thread-safe; each {@link #detect()} reads afresh.
 *
 * <pre>{@code
 * DeviceInfo info = new DeviceDetector(HostAccess.system()).detect();
 * if (info.isJetson()) { ... info.module().profileId() ... }
 * }</pre>
 */
public final class DeviceDetector {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceDetector.class);
    private static final Pattern TEGRA = Pattern.compile("nvidia,(tegra\\d+)");
    private static final Map<String, String> CUDA_ARCH = Map.of("tegra210", "5.3", "tegra234", "8.7", "tegra264", "11.0");
    private static final Map<String, String> ARM_PARTS = Map.of(
            "0xd07", "Arm Cortex-A57", "0xd42", "Arm Cortex-A78AE", "0xd41", "Arm Cortex-A78",
            "0xd4f", "Arm Neoverse V2", "0xd0c", "Arm Neoverse N1", "0xd08", "Arm Cortex-A72");
    static final List<String> DPKG_L4T = List.of("dpkg-query", "--showformat=${Version}", "--show", "nvidia-l4t-core");
    static final List<String> NVIDIA_SMI = List.of("nvidia-smi",
            "--query-gpu=name,compute_cap,memory.total,driver_version", "--format=csv,noheader,nounits");
    private static final List<String> LIB_DIRS = List.of("/usr/lib/aarch64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu/nvidia", "/usr/local/cuda/lib64");
    private static final List<String> TRT_HEADERS = List.of("/usr/include/aarch64-linux-gnu/NvInferVersion.h",
            "/usr/include/x86_64-linux-gnu/NvInferVersion.h", "/usr/include/NvInferVersion.h");

    private final HostAccess env;

    public DeviceDetector(HostAccess env) {
        this.env = java.util.Objects.requireNonNull(env, "env");
    }

    public DeviceInfo detect() {
        List<String> notes = new ArrayList<>();
        List<String> compatible = readNulSeparated("/proc/device-tree/compatible", notes);
        if (compatible.isEmpty()) {
            compatible = readNulSeparated("/sys/firmware/devicetree/base/compatible", notes);
        }
        Optional<String> model = env.readBytes("/proc/device-tree/model", notes)
                .or(() -> env.readBytes("/sys/firmware/devicetree/base/model", notes))
                .map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "").trim())
                .filter(s -> !s.isEmpty());

        Optional<String> soc = Optional.empty();
        for (String token : compatible) {
            Matcher m = TEGRA.matcher(token);
            if (m.matches()) {
                soc = Optional.of(m.group(1));
            }
        }
        Optional<String> releaseText = env.readText("/etc/nv_tegra_release", notes);
        boolean jetson = soc.isPresent() || releaseText.isPresent();

        JetsonModule module = JetsonModule.NOT_JETSON;
        boolean superVariant = false;
        if (jetson) {
            module = JetsonModule.fromCompatible(compatible).orElse(JetsonModule.UNKNOWN_JETSON);
            if (module == JetsonModule.UNKNOWN_JETSON) {
                notes.add(compatible.isEmpty()
                        ? "no device-tree compatible string; the module cannot be identified (container without /proc/device-tree?)"
                        : "compatible " + compatible + " names no known module SKU");
            }
            superVariant = compatible.stream().anyMatch(t -> t.trim().endsWith("-super"));
            if (soc.isEmpty()) {
                soc = module.soc();
            }
        }

        Optional<L4tVersion> l4t = Optional.empty();
        if (jetson) {
            l4t = releaseText.flatMap(L4tVersion::parseReleaseFile);
            if (releaseText.isPresent() && l4t.isEmpty()) {
                notes.add("/etc/nv_tegra_release: line 1 is not '# R<major> (release), REVISION: <x.y>'");
            }
            if (l4t.isEmpty()) {
                l4t = l4tFromPackage(notes);
            }
            if (l4t.isEmpty()) {
                notes.add("L4T version unknown: no /etc/nv_tegra_release and no nvidia-l4t-core package version");
            }
        }
        Optional<JetPackRelease> jetpack = l4t.flatMap(JetPackRelease::forL4t);
        jetpack.flatMap(JetPackRelease::note).ifPresent(notes::add);

        Optional<String> cuda = cudaVersion(notes);
        Optional<String> trt = tensorRtVersion(notes);

        Map<String, Long> meminfo = meminfo(notes);
        OptionalLong memTotal = meminfo.containsKey("MemTotal") ? OptionalLong.of(meminfo.get("MemTotal")) : OptionalLong.empty();
        OptionalLong memAvail = meminfo.containsKey("MemAvailable") ? OptionalLong.of(meminfo.get("MemAvailable")) : OptionalLong.empty();
        if (memAvail.isEmpty()) {
            notes.add("MemAvailable not found in /proc/meminfo");
        }

        Optional<String> cpuText = env.readText("/proc/cpuinfo", notes);
        Optional<String> cpuModel = cpuText.flatMap(DeviceDetector::cpuModel);
        int cores = presentCpus(notes);
        if (cores == 0) {
            cores = cpuText.map(t -> (int) t.lines().filter(l -> l.matches("^processor\\s*:.*")).count()).orElse(0);
        }

        List<GpuInfo> gpus = jetson ? List.of() : discreteGpus(notes);
        Optional<String> cudaArch = soc.map(CUDA_ARCH::get);
        if (cudaArch.isEmpty() && !gpus.isEmpty()) {
            cudaArch = gpus.get(0).computeCapability();
        }
        DeviceInfo info = new DeviceInfo(module, superVariant, model, compatible, soc, cudaArch, l4t, jetpack, cuda, trt,
                cpuModel, cores, memTotal, memAvail, gpus, notes);
        LOG.debug("detected {} (L4T {}, notes {})", info.displayName(), l4t.map(Object::toString).orElse("-"), notes);
        return info;
    }

    private List<String> readNulSeparated(String path, List<String> notes) {
        return env.readBytes(path, notes).map(b -> {
            List<String> out = new ArrayList<>();
            for (String s : new String(b, java.nio.charset.StandardCharsets.UTF_8).split("\0")) {
                String t = s.trim();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
            return out;
        }).orElse(List.of());
    }

    private Optional<L4tVersion> l4tFromPackage(List<String> notes) {
        return env.run(DPKG_L4T, notes)
                .filter(CommandResult::succeeded)
                .flatMap(r -> L4tVersion.parsePackageVersion(r.stdout()));
    }

    private Optional<String> cudaVersion(List<String> notes) {
        Optional<String> json = env.readText("/usr/local/cuda/version.json", notes);
        if (json.isPresent()) {
            try {
                JsonElement root = JsonParser.parseString(json.get());
                if (root.isJsonObject()) {
                    JsonObject cuda = root.getAsJsonObject().getAsJsonObject("cuda");
                    if (cuda != null && cuda.has("version")) {
                        return Optional.of(cuda.get("version").getAsString());
                    }
                }
                notes.add("/usr/local/cuda/version.json: no cuda.version field");
            } catch (JsonParseException | IllegalStateException | ClassCastException e) {
                notes.add("/usr/local/cuda/version.json: not valid JSON (" + e.getMessage() + ")");
            }
        }
        Optional<String> txt = env.readText("/usr/local/cuda/version.txt", notes);
        if (txt.isPresent()) {
            Matcher m = Pattern.compile("CUDA Version\\s+([0-9][0-9.]*)").matcher(txt.get());
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    private Optional<String> tensorRtVersion(List<String> notes) {
        for (String header : TRT_HEADERS) {
            Optional<String> text = env.readText(header, notes);
            if (text.isPresent()) {
                Optional<String> v = parseTrtHeader(text.get());
                if (v.isPresent()) {
                    return v;
                }
            }
        }
        String best = null;
        for (String dir : LIB_DIRS) {
            for (String name : env.list(dir, notes)) {
                if (name.startsWith("libnvinfer.so.")) {
                    String v = name.substring("libnvinfer.so.".length());
                    if (v.matches("\\d+(\\.\\d+)*") && (best == null || HostAccess.NATURAL.compare(v, best) > 0)) {
                        best = v;
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    static Optional<String> parseTrtHeader(String text) {
        Map<String, String> defines = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*#define\\s+(\\w+)\\s+(\\w+)").matcher(text);
        while (m.find()) {
            defines.put(m.group(1), m.group(2));
        }
        String[] parts = {"MAJOR", "MINOR", "PATCH"};
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            String v = defines.get("NV_TENSORRT_" + p);
            // Newer headers define NV_TENSORRT_MAJOR as another macro (TRT_MAJOR_ENTERPRISE).
            for (int hops = 0; v != null && !v.matches("\\d+") && hops < 3; hops++) {
                v = defines.get(v);
            }
            if (v == null || !v.matches("\\d+")) {
                return Optional.empty();
            }
            sb.append(sb.length() == 0 ? "" : ".").append(v);
        }
        return Optional.of(sb.toString());
    }

    private Map<String, Long> meminfo(List<String> notes) {
        Map<String, Long> out = new LinkedHashMap<>();
        Optional<String> text = env.readText("/proc/meminfo", notes);
        if (text.isEmpty()) {
            notes.add("/proc/meminfo not readable; memory unknown");
            return out;
        }
        Pattern line = Pattern.compile("^(\\w+):\\s+(\\d+)\\s*kB");
        for (String l : text.get().lines().toList()) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                out.put(m.group(1), Long.parseLong(m.group(2)) * 1024L);
            }
        }
        return out;
    }

    private static Optional<String> cpuModel(String cpuinfo) {
        String part = null;
        for (String l : cpuinfo.lines().toList()) {
            int colon = l.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = l.substring(colon + 1).trim();
            if (key.equals("model name") && !value.isEmpty()) {
                return Optional.of(value);
            }
            if (key.equals("cpu part") && part == null) {
                part = value.toLowerCase(Locale.ROOT);
            }
        }
        if (part != null) {
            return Optional.of(ARM_PARTS.getOrDefault(part, "Arm CPU part " + part));
        }
        return Optional.empty();
    }

    private int presentCpus(List<String> notes) {
        return env.readValue("/sys/devices/system/cpu/present", notes).map(DeviceDetector::countRange).orElse(0);
    }

    /** Counts the CPUs in a sysfs range list such as {@code 0-3,6}. */
    public static int countRange(String list) {
        int n = 0;
        for (int cpu : parseRange(list)) {
            n += cpu >= 0 ? 1 : 0;
        }
        return n;
    }

    /** Linux's largest CPU count (NR_CPUS); a range past it is a corrupt or hostile file, read as unknown. */
    static final int MAX_CPUS = 8192;

    /** Expands a sysfs range list such as {@code 0-3,6} into CPU numbers; empty if malformed or absurd. */
    public static List<Integer> parseRange(String list) {
        List<Integer> out = new ArrayList<>();
        for (String part : list.trim().split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                int dash = p.indexOf('-');
                if (dash < 0) {
                    int cpu = Integer.parseInt(p);
                    if (cpu < 0 || cpu >= MAX_CPUS || out.size() >= MAX_CPUS) {
                        return List.of();
                    }
                    out.add(cpu);
                } else {
                    int lo = Integer.parseInt(p.substring(0, dash));
                    int hi = Integer.parseInt(p.substring(dash + 1));
                    if (lo < 0 || hi >= MAX_CPUS || out.size() + (long) hi - lo + 1 > MAX_CPUS) {
                        return List.of();
                    }
                    for (int i = lo; i <= hi; i++) {
                        out.add(i);
                    }
                }
            } catch (NumberFormatException e) {
                return List.of();
            }
        }
        return out;
    }

    private List<GpuInfo> discreteGpus(List<String> notes) {
        List<String> quiet = new ArrayList<>();
        Optional<CommandResult> r = env.run(NVIDIA_SMI, quiet);
        if (r.isEmpty()) {
            return List.of(); // no nvidia-smi: a host without an NVIDIA GPU is normal
        }
        if (!r.get().succeeded()) {
            notes.add("nvidia-smi exited with " + r.get().exitCode() + "; GPU list unavailable");
            return List.of();
        }
        List<GpuInfo> gpus = new ArrayList<>();
        for (String l : r.get().stdout().lines().toList()) {
            String[] f = l.split(",");
            if (f.length < 1 || f[0].isBlank()) {
                continue;
            }
            Optional<String> cc = field(f, 1).filter(s -> s.matches("\\d+\\.\\d+"));
            OptionalLong mem = field(f, 2).filter(s -> s.matches("\\d+"))
                    .map(s -> OptionalLong.of(Long.parseLong(s) * 1024L * 1024L)).orElse(OptionalLong.empty());
            gpus.add(new GpuInfo(f[0].trim(), cc, mem, field(f, 3)));
        }
        return gpus;
    }

    private static Optional<String> field(String[] f, int i) {
        if (i >= f.length) {
            return Optional.empty();
        }
        String s = f[i].trim();
        return s.isEmpty() || s.startsWith("[") ? Optional.empty() : Optional.of(s);
    }
}
