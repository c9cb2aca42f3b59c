package io.jedge.runtime.power;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code nvpmodel.conf}: its {@code PARAM} sections (parameter name to sysfs paths per
 * argument), its {@code POWER_MODEL} blocks and the {@code PM_CONFIG DEFAULT}.
 *
 * <p>Grammar: {@code #} starts a comment line; {@code < KEYWORD ATTR=VAL ... >} opens a section
 * (spaces inside the brackets optional, attributes parsed by key); lines inside a PARAM are
 * {@code ARGNAME /path}, lines inside a POWER_MODEL are {@code PNAME ARGNAME VALUE}.
 */
public final class NvpModelConf {
    private static final Pattern SECTION = Pattern.compile("^<\\s*(\\w+)((?:\\s+[\\w]+=[^\\s>]*)*)\\s*>\\s*$");
    private static final Pattern ATTR = Pattern.compile("(\\w+)=([^\\s>]*)");

    private final List<NvpMode> modes;
    private final Map<String, Map<String, String>> params;
    private final OptionalInt defaultId;

    private NvpModelConf(List<NvpMode> modes, Map<String, Map<String, String>> params, OptionalInt defaultId) {
        this.modes = List.copyOf(modes);
        this.params = params;
        this.defaultId = defaultId;
    }

    /**
     * Parses conf text. Malformed lines are skipped; {@code problems} (may be null) collects a
     * description of each one with its line number.
     */
    public static NvpModelConf parse(String text, List<String> problems) {
        List<NvpMode> modes = new ArrayList<>();
        Map<String, Map<String, String>> params = new LinkedHashMap<>();
        OptionalInt defaultId = OptionalInt.empty();
        String section = null;
        String paramName = null;
        Integer modeId = null;
        String modeName = null;
        List<NvpMode.Setting> settings = new ArrayList<>();
        int lineNo = 0;
        for (String raw : text.lines().toList()) {
            lineNo++;
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("<")) {
                Matcher m = SECTION.matcher(line);
                if (!m.matches()) {
                    note(problems, "line " + lineNo + ": malformed section header '" + line + "'");
                    continue;
                }
                if (modeId != null) {
                    modes.add(new NvpMode(modeId, modeName, settings));
                }
                modeId = null;
                modeName = null;
                settings = new ArrayList<>();
                paramName = null;
                section = m.group(1).toUpperCase(Locale.ROOT);
                Map<String, String> attrs = new HashMap<>();
                Matcher a = ATTR.matcher(m.group(2));
                while (a.find()) {
                    attrs.put(a.group(1).toUpperCase(Locale.ROOT), a.group(2));
                }
                switch (section) {
                    case "PARAM" -> {
                        paramName = attrs.get("NAME");
                        if (paramName != null) {
                            params.putIfAbsent(paramName, new LinkedHashMap<>());
                        }
                    }
                    case "POWER_MODEL" -> {
                        String id = attrs.get("ID");
                        String name = attrs.get("NAME");
                        if (id == null || name == null || !id.matches("\\d+")) {
                            note(problems, "line " + lineNo + ": POWER_MODEL needs ID=<int> and NAME=<token>, found '" + line + "'");
                            section = null;
                        } else {
                            modeId = Integer.parseInt(id);
                            modeName = name;
                        }
                    }
                    case "PM_CONFIG" -> {
                        String d = attrs.get("DEFAULT");
                        if (d != null && d.matches("\\d+")) {
                            defaultId = OptionalInt.of(Integer.parseInt(d));
                        } else {
                            note(problems, "line " + lineNo + ": PM_CONFIG DEFAULT='" + d + "', expected an integer mode id");
                        }
                    }
                    default -> {
                        // FAN_CONFIG and other sections are not needed here.
                    }
                }
                continue;
            }
            String[] f = line.split("\\s+");
            if ("PARAM".equals(section) && paramName != null && f.length >= 2) {
                params.get(paramName).put(f[0], f[1]);
            } else if ("POWER_MODEL".equals(section) && modeId != null) {
                if (f.length >= 3) {
                    settings.add(new NvpMode.Setting(f[0], f[1], f[2]));
                } else {
                    note(problems, "line " + lineNo + ": expected 'PARAM ARG VALUE' in mode " + modeName + ", found '" + line + "'");
                }
            }
        }
        if (modeId != null) {
            modes.add(new NvpMode(modeId, modeName, settings));
        }
        return new NvpModelConf(modes, params, defaultId);
    }

    private static void note(List<String> problems, String s) {
        if (problems != null) {
            problems.add(s);
        }
    }

    public List<NvpMode> modes() {
        return modes;
    }

    public OptionalInt defaultId() {
        return defaultId;
    }

    public Optional<NvpMode> byId(int id) {
        return modes.stream().filter(m -> m.id() == id).findFirst();
    }

    /** Looks a mode up by name, ignoring case. */
    public Optional<NvpMode> byName(String name) {
        return modes.stream().filter(m -> m.name().equalsIgnoreCase(name)).findFirst();
    }

    /** The sysfs path an argument of a PARAM section writes, for example {@code ("CPU_ONLINE", "CORE_4")}. */
    public Optional<String> paramPath(String param, String arg) {
        Map<String, String> args = params.get(param);
        return args == null ? Optional.empty() : Optional.ofNullable(args.get(arg));
    }

    /** PARAM names in file order. */
    public List<String> paramNames() {
        return List.copyOf(params.keySet());
    }
}
