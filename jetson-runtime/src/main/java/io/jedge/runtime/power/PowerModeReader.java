package io.jedge.runtime.power;

import io.jedge.runtime.device.CommandResult;
import io.jedge.runtime.device.HostAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the active nvpmodel mode without root: the id from {@code /var/lib/nvpmodel/status},
 * mapped to a name through the conf ({@code /var/lib/nvpmodel/conf_file_path}, else
 * {@code /etc/nvpmodel.conf}); {@code nvpmodel -q} when that fails. Never throws for missing
 * data. Thread-safe.
 */
public final class PowerModeReader {
    /** The status file that holds {@code pmode:NNNN fmode:...}. */
    public static final String STATUS_FILE = "/var/lib/nvpmodel/status";
    public static final String CONF_PATH_FILE = "/var/lib/nvpmodel/conf_file_path";
    public static final String DEFAULT_CONF = "/etc/nvpmodel.conf";
    static final List<String> QUERY = List.of("nvpmodel", "-q");

    private static final Pattern PMODE = Pattern.compile("pmode:\\s*0*(\\d+)");
    private static final Pattern QUERY_NAME = Pattern.compile("NV Power Mode:\\s*(\\w+)");

    private final HostAccess env;

    public PowerModeReader(HostAccess env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    public PowerModeReading read() {
        List<String> notes = new ArrayList<>();
        String confPath = env.readValue(CONF_PATH_FILE, notes).filter(p -> p.startsWith("/")).orElse(DEFAULT_CONF);
        Optional<NvpModelConf> conf = env.readText(confPath, notes).map(text -> {
            List<String> problems = new ArrayList<>();
            NvpModelConf c = NvpModelConf.parse(text, problems);
            problems.forEach(p -> notes.add(confPath + ": " + p));
            return c;
        });
        if (conf.isEmpty() && !env.exists(confPath)) {
            notes.add(confPath + ": missing; mode names come from nvpmodel -q only");
        }

        Optional<Integer> statusId = statusId(notes);
        Optional<CurrentPowerMode> current = Optional.empty();
        if (statusId.isPresent() && conf.isPresent()) {
            Optional<NvpMode> m = conf.get().byId(statusId.get());
            if (m.isPresent()) {
                current = Optional.of(new CurrentPowerMode(m.get().id(), m.get().name(), CurrentPowerMode.Source.STATUS_FILE, m));
            } else {
                notes.add(STATUS_FILE + ": mode id " + statusId.get() + " is not in " + confPath);
            }
        }
        if (current.isEmpty()) {
            current = query(conf, notes);
        }
        if (current.isEmpty()) {
            notes.add("current power mode unknown");
        }
        return new PowerModeReading(current, conf, confPath, notes);
    }

    /** The mode id in the status file, if present and well-formed. */
    Optional<Integer> statusId(List<String> notes) {
        Optional<String> status = env.readValue(STATUS_FILE, notes);
        if (status.isEmpty()) {
            if (!env.exists(STATUS_FILE)) {
                notes.add(STATUS_FILE + ": missing");
            }
            return Optional.empty();
        }
        Matcher m = PMODE.matcher(status.get());
        if (!m.find()) {
            notes.add(STATUS_FILE + ": '" + status.get() + "', expected 'pmode:NNNN fmode:<fan>'");
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(m.group(1)));
    }

    private Optional<CurrentPowerMode> query(Optional<NvpModelConf> conf, List<String> notes) {
        Optional<CommandResult> r = env.run(QUERY, notes);
        if (r.isEmpty()) {
            return Optional.empty();
        }
        Optional<NameAndId> parsed = parseQuery(r.get().stdout());
        if (parsed.isEmpty()) {
            notes.add("nvpmodel -q (exit " + r.get().exitCode() + ") printed no 'NV Power Mode' line");
            return Optional.empty();
        }
        NameAndId q = parsed.get();
        // Trust the name: look the id up in the conf by name, since ids differ between confs.
        Optional<NvpMode> m = conf.flatMap(c -> c.byName(q.name()));
        int id = m.map(NvpMode::id).orElse(q.id() == null ? -1 : q.id());
        if (m.isPresent() && q.id() != null && q.id() != id) {
            notes.add("nvpmodel -q reports " + q.name() + " as id " + q.id() + " but the conf numbers it " + id);
        }
        return Optional.of(new CurrentPowerMode(id, q.name(), CurrentPowerMode.Source.NVPMODEL_QUERY, m));
    }

    record NameAndId(String name, Integer id) {
    }

    /**
     * Parses {@code nvpmodel -q} output: the name after {@code NV Power Mode:}, the id on the next
     * line that is not an {@code NVPM} message.
     */
    static Optional<NameAndId> parseQuery(String stdout) {
        List<String> lines = stdout.lines().map(String::trim).toList();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = QUERY_NAME.matcher(lines.get(i));
            if (m.find()) {
                Integer id = null;
                for (int j = i + 1; j < lines.size(); j++) {
                    String l = lines.get(j);
                    if (l.isEmpty() || l.startsWith("NVPM")) {
                        continue;
                    }
                    if (l.matches("\\d+")) {
                        id = Integer.parseInt(l);
                    }
                    break;
                }
                return Optional.of(new NameAndId(m.group(1), id));
            }
        }
        return Optional.empty();
    }
}
