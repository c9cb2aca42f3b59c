package io.jedge.runtime.power;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.jedge.runtime.device.JetsonModule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Loads and validates power profiles: from the classpath resource
 * {@code io/jedge/runtime/power/profiles/<id>.json} (packaged from the repository's
 * {@code power-profiles/}) or from a file.
 *
 * <p>Schema version 1. Top level: {@code schemaVersion}, {@code id}, {@code module} (a
 * {@link JetsonModule} name), {@code displayName}, {@code soc}, {@code cudaArch}, {@code modes}.
 * Each mode: {@code name}, {@code id}, {@code superConf}, {@code default}, {@code budgetW},
 * {@code onlineCores}, {@code cpuMaxMHz}, {@code gpuMaxMHz}, {@code emcMaxMHz}, {@code dlaCores},
 * {@code dlaMaxMHz} (array or null), {@code uncapped} (array of {@code cpu|gpu|emc|dla}). Every key
 * must be present; the numeric caps, {@code budgetW} and {@code onlineCores} may be {@code null}
 * (unknown or uncapped). Each conf must have exactly one default mode and unique names.
 */
public final class PowerProfiles {
    /** The schema version this loader reads. */
    public static final int SCHEMA_VERSION = 1;
    /** Classpath folder of the shipped profiles. */
    public static final String RESOURCE_DIR = "io/jedge/runtime/power/profiles/";
    private static final Set<String> CLOCKS = Set.of("cpu", "gpu", "emc", "dla");

    private PowerProfiles() {
    }

    /** The shipped profile for a module; empty when the module has none. */
    public static Optional<PowerProfile> forModule(JetsonModule module) {
        return module.profileId().map(PowerProfiles::load);
    }

    /**
     * Loads the shipped profile {@code id}.
     *
     * @throws PowerProfileException if there is no such resource or it is invalid
     */
    public static PowerProfile load(String id) {
        if (!id.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("power profile id '" + id + "', expected lower-case letters, digits and '-'");
        }
        String resource = RESOURCE_DIR + id + ".json";
        ClassLoader cl = PowerProfiles.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) {
                throw new PowerProfileException(resource, "no such classpath resource (is power-profiles/" + id + ".json packaged?)");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new PowerProfileException(resource, "cannot read: " + e.getMessage(), e);
        }
    }

    private static final long MAX_PROFILE_BYTES = 1L << 20;

    /** Loads a profile file. */
    public static PowerProfile load(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_PROFILE_BYTES) { // read whole below: refuse a huge file before reading it
                throw new PowerProfileException(file.toString(), Files.size(file) + " bytes, expected a power profile of at most "
                        + (MAX_PROFILE_BYTES >> 20) + " MiB");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PowerProfileException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses profile JSON; {@code source} names it in error messages. */
    public static PowerProfile parse(String json, String source) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new PowerProfileException(source, "not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new PowerProfileException(source, "top level is " + kind(root) + ", expected an object");
        }
        Reader r = new Reader(source);
        JsonObject o = root.getAsJsonObject();
        int version = r.integer(o, "schemaVersion", "schemaVersion");
        if (version != SCHEMA_VERSION) {
            throw new PowerProfileException(source, "field 'schemaVersion' is " + version + ", expected " + SCHEMA_VERSION);
        }
        String id = r.string(o, "id", "id");
        String moduleName = r.string(o, "module", "module");
        JetsonModule module;
        try {
            module = JetsonModule.valueOf(moduleName);
        } catch (IllegalArgumentException e) {
            throw new PowerProfileException(source, "field 'module' is '" + moduleName + "', expected a JetsonModule name such as ORIN_NX_16GB");
        }
        if (module.profileId().map(p -> !p.equals(id)).orElse(true)) {
            throw new PowerProfileException(source, "field 'id' is '" + id + "', but module " + module + " uses profile '"
                    + module.profileId().orElse("(none)") + "'");
        }
        String displayName = r.string(o, "displayName", "displayName");
        String soc = r.string(o, "soc", "soc");
        String cudaArch = r.string(o, "cudaArch", "cudaArch");
        JsonArray modesJson = r.array(o, "modes", "modes");
        if (modesJson.isEmpty()) {
            throw new PowerProfileException(source, "field 'modes' is empty, expected at least one mode");
        }
        List<ProfileMode> modes = new ArrayList<>();
        for (int i = 0; i < modesJson.size(); i++) {
            String at = "modes[" + i + "]";
            JsonElement e = modesJson.get(i);
            if (!e.isJsonObject()) {
                throw new PowerProfileException(source, "field '" + at + "' is " + kind(e) + ", expected an object");
            }
            modes.add(mode(r, e.getAsJsonObject(), at));
        }
        for (boolean sup : new boolean[] {false, true}) {
            List<ProfileMode> conf = modes.stream().filter(m -> m.superConf() == sup).toList();
            if (conf.isEmpty()) {
                continue;
            }
            String which = sup ? "super" : "non-super";
            long defaults = conf.stream().filter(ProfileMode::isDefault).count();
            if (defaults != 1) {
                throw new PowerProfileException(source, "the " + which + " modes have " + defaults + " with 'default': true, expected exactly 1");
            }
            Set<String> names = new HashSet<>();
            Set<Integer> ids = new HashSet<>();
            for (ProfileMode m : conf) {
                if (!names.add(m.name().toUpperCase(java.util.Locale.ROOT))) {
                    throw new PowerProfileException(source, "mode name '" + m.name() + "' appears twice among the " + which + " modes");
                }
                if (!ids.add(m.id())) {
                    throw new PowerProfileException(source, "mode id " + m.id() + " appears twice among the " + which + " modes");
                }
            }
        }
        return new PowerProfile(version, id, module, displayName, soc, cudaArch, modes);
    }

    private static ProfileMode mode(Reader r, JsonObject o, String at) {
        String name = r.string(o, "name", at + ".name");
        String p = at + " (" + name + ")";
        int id = r.integer(o, "id", p + ".id");
        boolean sup = r.bool(o, "superConf", p + ".superConf");
        boolean dflt = r.bool(o, "default", p + ".default");
        OptionalDouble budget = r.optNumber(o, "budgetW", p + ".budgetW");
        OptionalDouble cores = r.optNumber(o, "onlineCores", p + ".onlineCores");
        OptionalDouble cpu = r.optNumber(o, "cpuMaxMHz", p + ".cpuMaxMHz");
        OptionalDouble gpu = r.optNumber(o, "gpuMaxMHz", p + ".gpuMaxMHz");
        OptionalDouble emc = r.optNumber(o, "emcMaxMHz", p + ".emcMaxMHz");
        int dlaCores = r.integer(o, "dlaCores", p + ".dlaCores");
        List<Double> dla = new ArrayList<>();
        JsonElement dlaJson = r.required(o, "dlaMaxMHz", p + ".dlaMaxMHz");
        if (!dlaJson.isJsonNull()) {
            if (!dlaJson.isJsonArray()) {
                throw r.fail(p + ".dlaMaxMHz", kind(dlaJson), "an array of MHz or null");
            }
            for (JsonElement d : dlaJson.getAsJsonArray()) {
                if (!isNumber(d)) {
                    throw r.fail(p + ".dlaMaxMHz", "an array holding " + kind(d), "an array of numbers");
                }
                dla.add(d.getAsDouble());
            }
            if (dla.size() != dlaCores) {
                throw r.fail(p + ".dlaMaxMHz", dla.size() + " entries", dlaCores + " (one per DLA core)");
            }
        }
        Set<String> uncapped = new LinkedHashSet<>();
        for (JsonElement u : r.array(o, "uncapped", p + ".uncapped")) {
            String c = u.isJsonPrimitive() ? u.getAsString() : String.valueOf(u);
            if (!CLOCKS.contains(c)) {
                throw r.fail(p + ".uncapped", "'" + c + "'", "one of cpu, gpu, emc, dla");
            }
            uncapped.add(c);
        }
        if (cores.isPresent() && (cores.getAsDouble() != Math.rint(cores.getAsDouble()) || cores.getAsDouble() < 1)) {
            throw r.fail(p + ".onlineCores", String.valueOf(cores.getAsDouble()), "a positive integer or null");
        }
        OptionalInt onlineCores = cores.isPresent() ? OptionalInt.of((int) cores.getAsDouble()) : OptionalInt.empty();
        return new ProfileMode(name, id, sup, dflt, budget, onlineCores, cpu, gpu, emc, dlaCores, dla, uncapped);
    }

    private static boolean isNumber(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    private static String kind(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isNumber() ? "the number " + p : p.isBoolean() ? "the boolean " + p : "the string " + p;
    }

    /** Field access that fails with the file and field name. */
    private record Reader(String source) {
        JsonElement required(JsonObject o, String key, String field) {
            if (!o.has(key)) {
                throw new PowerProfileException(source, "missing field '" + field + "'");
            }
            return o.get(key);
        }

        PowerProfileException fail(String field, String found, String expected) {
            return new PowerProfileException(source, "field '" + field + "' is " + found + ", expected " + expected);
        }

        String string(JsonObject o, String key, String field) {
            JsonElement e = required(o, key, field);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || e.getAsString().isBlank()) {
                throw fail(field, kind(e), "a non-empty string");
            }
            return e.getAsString();
        }

        int integer(JsonObject o, String key, String field) {
            JsonElement e = required(o, key, field);
            if (!isNumber(e) || e.getAsDouble() != Math.rint(e.getAsDouble()) || e.getAsDouble() < 0) {
                throw fail(field, kind(e), "a non-negative integer");
            }
            return e.getAsInt();
        }

        boolean bool(JsonObject o, String key, String field) {
            JsonElement e = required(o, key, field);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw fail(field, kind(e), "true or false");
            }
            return e.getAsBoolean();
        }

        OptionalDouble optNumber(JsonObject o, String key, String field) {
            JsonElement e = required(o, key, field);
            if (e.isJsonNull()) {
                return OptionalDouble.empty();
            }
            if (!isNumber(e) || e.getAsDouble() <= 0) {
                throw fail(field, kind(e), "a positive number or null");
            }
            return OptionalDouble.of(e.getAsDouble());
        }

        JsonArray array(JsonObject o, String key, String field) {
            JsonElement e = required(o, key, field);
            if (!e.isJsonArray()) {
                throw fail(field, kind(e), "an array");
            }
            return e.getAsJsonArray();
        }
    }
}
