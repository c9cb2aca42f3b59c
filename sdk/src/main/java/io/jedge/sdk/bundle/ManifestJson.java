package io.jedge.sdk.bundle;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads and writes {@code bundle.json}. Mapping is explicit rather than reflective so that every
 * failure can name the field path ("variants[1].precision") and nothing unknown loads as null.
 */
final class ManifestJson {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private ManifestJson() {
    }

    // ---- reading ----

    static BundleManifest read(String text, Path file) throws BundleException {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) {
                throw new BundleException(file, "expected a JSON object at the top level");
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw parseFailure(file, e);
        }
        Reader r = new Reader(file);
        int version;
        try {
            version = r.integer(root, "schemaVersion");
        } catch (FieldException e) {
            throw new BundleException(file, e.getMessage());
        }
        if (version != BundleManifest.SCHEMA_VERSION) {
            throw new BundleException(file, "schemaVersion " + version + " is not supported (this jedge reads "
                    + BundleManifest.SCHEMA_VERSION + "); convert the model again with this version of jedge");
        }
        try {
            return new BundleManifest(version, r.string(root, "name"), r.enumOf(root, "task", Task::parse),
                    r.list(root, "inputs", ManifestJson::tensorSpec), r.list(root, "outputs", ManifestJson::tensorSpec),
                    r.optionalObject(root, "preprocessing", ManifestJson::preprocessing),
                    r.optionalStrings(root, "labels"), r.optionalStringMap(root, "pipeline"),
                    r.list(root, "variants", ManifestJson::variant),
                    r.optionalList(root, "reports", ManifestJson::report),
                    r.optionalString(root, "createdBy"), r.optionalString(root, "createdAt"));
        } catch (FieldException e) {
            throw new BundleException(file, e.getMessage());
        }
    }

    /**
     * Gson reports running out of memory or stack as a parse error of the text; say what really
     * happened, so that a valid manifest is never called "not valid JSON".
     */
    static BundleException parseFailure(Path file, JsonParseException e) {
        if (e.getCause() instanceof OutOfMemoryError) {
            return new BundleException(file, "is too large to read in this Java heap (at most " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB); give Java more memory (JEDGE_JAVA_OPTS=-Xmx...) or check that this is a jedge manifest", e);
        }
        if (e.getCause() instanceof StackOverflowError) {
            return new BundleException(file, "nests arrays or objects too deeply to read; a jedge manifest never does"
                    + " (convert the model again)", e);
        }
        return new BundleException(file, "not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }

    private static TensorSpec tensorSpec(Reader r, JsonObject o) {
        String dataType = r.string(o, "dataType");
        if (!dataType.matches("[a-z][a-z0-9]{0,31}")) {
            throw r.fail("dataType", quoted(dataType), "an ONNX element type such as float32 or int64");
        }
        return new TensorSpec(r.string(o, "name"), dataType, r.elements(o, "shape", (rr, e) -> rr.dim(e)));
    }


    /** Fields added after the first bundles default to what those bundles meant: RGB, [0,1], no crop. */
    private static Preprocessing preprocessing(Reader r, JsonObject o) {
        Preprocessing.Layout layout = r.enumOf(o, "layout", Preprocessing.Layout::parse);
        int channels = r.has(o, "channels") ? r.integer(o, "channels") : 3;
        int height = r.integer(o, "height");
        int width = r.integer(o, "width");
        List<Double> mean = r.elements(o, "mean", (rr, e) -> rr.asDouble(e));
        List<Double> std = r.elements(o, "std", (rr, e) -> rr.asDouble(e));
        Preprocessing.Interpolation resize = r.has(o, "resize")
                ? r.enumOf(o, "resize", Preprocessing.Interpolation::parse) : Preprocessing.Interpolation.BILINEAR;
        Double crop = r.optionalNumber(o, "crop");
        Preprocessing.ChannelOrder order = r.has(o, "channelOrder")
                ? r.enumOf(o, "channelOrder", Preprocessing.ChannelOrder::parse) : Preprocessing.ChannelOrder.RGB;
        Preprocessing.ValueRange range = r.has(o, "range")
                ? r.enumOf(o, "range", Preprocessing.ValueRange::parse) : Preprocessing.ValueRange.UNIT;
        try {
            return new Preprocessing(layout, channels, height, width, mean, std, resize, crop, order, range);
        } catch (IllegalArgumentException e) {
            throw new FieldException(e.getMessage()); // already names 'preprocessing.<field>'
        }
    }

    private static Variant variant(Reader r, JsonObject o) {
        int min = r.integer(o, "batchMin");
        int opt = r.integer(o, "batchOpt");
        int max = r.integer(o, "batchMax");
        if (min < 1 || min > opt || opt > max || max > Variant.MAX_BATCH) {
            throw r.fail("batchMin/batchOpt/batchMax", min + "/" + opt + "/" + max, "1 <= min <= opt <= max <= " + Variant.MAX_BATCH);
        }
        String sha256 = r.string(o, "sha256");
        if (!sha256.matches("[0-9a-fA-F]{64}")) {
            throw r.fail("sha256", quoted(sha256), "64 hex digits");
        }
        long size = r.longValue(o, "sizeBytes");
        if (size < 0) {
            throw r.fail("sizeBytes", size, "a size in bytes >= 0");
        }
        return new Variant(r.string(o, "id"), r.enumOf(o, "role", Role::parse), r.string(o, "file"),
                r.enumOf(o, "format", VariantFormat::parse), r.enumOf(o, "precision", Precision::parse),
                r.enumOf(o, "attention", AttentionKind::parse), min, opt, max, sha256,
                size, r.object(o, "builtFor", ManifestJson::fingerprint),
                r.optionalStringMap(o, "attributes"), r.optionalList(o, "figures", ManifestJson::figure));
    }

    private static Fingerprint fingerprint(Reader r, JsonObject o) {
        return new Fingerprint(r.optionalString(o, "tensorrt"), r.optionalString(o, "gpu"),
                r.optionalString(o, "computeCapability"), r.optionalString(o, "cuda"), r.optionalString(o, "l4t"),
                r.optionalString(o, "jetpack"), r.optionalStringMap(o, "buildOptions"));
    }

    private static Figure figure(Reader r, JsonObject o) {
        int threads = r.integer(o, "threads");
        if (threads < 0) {
            throw r.fail("threads", threads, "0 (all cores) or more");
        }
        int batch = r.integer(o, "batch");
        if (batch < 1 || batch > Variant.MAX_BATCH) {
            throw r.fail("batch", batch, "1 to " + Variant.MAX_BATCH);
        }
        return new Figure(r.string(o, "device"), r.optionalString(o, "powerMode"), r.string(o, "backend"),
                threads, batch, r.nonNegative(o, "latencyP50Ms"),
                r.nonNegative(o, "latencyP95Ms"), r.nonNegative(o, "throughputPerSec"), r.optionalNumber(o, "powerW"),
                r.optionalNumber(o, "joulesPerInference"), r.string(o, "measuredAt"), r.bool(o, "simulated"));
    }

    /** A string from the file as an error line shows it: quoted, control characters escaped. */
    static String quoted(String s) {
        return "'" + io.jedge.sdk.Printable.escape(s) + "'";
    }

    static boolean hasControl(String s) {
        return !io.jedge.sdk.Printable.isPlain(s);
    }

    private static Report report(Reader r, JsonObject o) {
        return new Report(r.string(o, "kind"), r.string(o, "variant"), r.string(o, "reference"),
                r.string(o, "inputs"), r.numberMap(o, "metrics"),
                r.optionalList(o, "layers", (rr, lo) -> new Report.LayerMetric(rr.string(lo, "layer"), rr.numberMap(lo, "metrics"))),
                r.optionalStrings(o, "notes"));
    }

    /** An invalid field; carries the dotted path so far. */
    private static final class FieldException extends RuntimeException {
        FieldException(String message) {
            super(message);
        }
    }

    /** Tracks the field path for error messages. */
    private static final class Reader {
        private final Path file;
        private final List<String> path = new ArrayList<>();

        Reader(Path file) {
            this.file = file;
        }

        private String at(String field) {
            StringBuilder b = new StringBuilder();
            for (String p : path) {
                if (b.length() > 0 && !p.startsWith("[")) {
                    b.append('.');
                }
                b.append(p);
            }
            if (field != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(field);
            }
            return b.toString();
        }

        FieldException fail(String field, Object found, String expected) {
            return new FieldException("field '" + at(field) + "': found " + found + ", expected " + expected);
        }

        private JsonElement required(JsonObject o, String field) {
            JsonElement e = o.get(field);
            if (e == null || e.isJsonNull()) {
                throw new FieldException("field '" + at(field) + "' is missing");
            }
            return e;
        }

        String string(JsonObject o, String field) {
            JsonElement e = required(o, field);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw fail(field, e, "a string");
            }
            return text(field, e.getAsString());
        }

        /** Every string read from the file passes here, so none carries an escape sequence to a terminal. */
        String text(String field, String s) {
            if (hasControl(s)) {
                throw fail(field, quoted(s), "text without control characters");
            }
            return s;
        }

        boolean has(JsonObject o, String field) {
            return o.has(field) && !o.get(field).isJsonNull();
        }

        String optionalString(JsonObject o, String field) {
            return o.has(field) && !o.get(field).isJsonNull() ? string(o, field) : null;
        }

        double number(JsonObject o, String field) {
            JsonElement e = required(o, field);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || !Double.isFinite(e.getAsDouble())) {
                throw fail(field, e, "a finite number");
            }
            return e.getAsDouble();
        }

        double nonNegative(JsonObject o, String field) {
            double d = number(o, field);
            if (d < 0) {
                throw fail(field, d, "a number >= 0");
            }
            return d;
        }

        Double optionalNumber(JsonObject o, String field) {
            return o.has(field) && !o.get(field).isJsonNull() ? number(o, field) : null;
        }

        long longValue(JsonObject o, String field) {
            double d = number(o, field);
            if (d != Math.rint(d) || Math.abs(d) > 0x1p53) {
                throw fail(field, d, "an integer");
            }
            return (long) d;
        }

        int integer(JsonObject o, String field) {
            long v = longValue(o, field);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw fail(field, v, "a 32-bit integer");
            }
            return (int) v;
        }

        boolean bool(JsonObject o, String field) {
            JsonElement e = required(o, field);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw fail(field, e, "true or false");
            }
            return e.getAsBoolean();
        }

        /** A tensor dim: -1 (dynamic) or what a backend can allocate; 1e30 or 2.5 would otherwise load as some long. */
        long dim(JsonElement e) {
            double d = e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsDouble() : Double.NaN;
            if (!(d == -1 || (d >= 1 && d <= Integer.MAX_VALUE && d == Math.rint(d)))) {
                throw fail(null, e, "-1 (dynamic) or an integer from 1 to " + Integer.MAX_VALUE);
            }
            return (long) d;
        }

        double asDouble(JsonElement e) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || !Double.isFinite(e.getAsDouble())) {
                throw fail(null, e, "a finite number");
            }
            return e.getAsDouble();
        }

        <E> E enumOf(JsonObject o, String field, Function<String, E> parse) {
            String s = string(o, field);
            try {
                return parse.apply(s);
            } catch (IllegalArgumentException e) {
                throw new FieldException("field '" + at(field) + "': " + e.getMessage());
            }
        }

        <T> T object(JsonObject o, String field, Mapper<JsonObject, T> f) {
            JsonElement e = required(o, field);
            if (!e.isJsonObject()) {
                throw fail(field, e, "an object");
            }
            path.add(field);
            try {
                return f.map(this, e.getAsJsonObject());
            } finally {
                path.remove(path.size() - 1);
            }
        }

        <T> T optionalObject(JsonObject o, String field, Mapper<JsonObject, T> f) {
            return o.has(field) && !o.get(field).isJsonNull() ? object(o, field, f) : null;
        }

        <T> List<T> list(JsonObject o, String field, Mapper<JsonObject, T> f) {
            return elements(o, field, (r, item) -> {
                if (!item.isJsonObject()) {
                    throw r.fail(null, item, "an object");
                }
                return f.map(r, item.getAsJsonObject());
            });
        }

        <T> List<T> elements(JsonObject o, String field, Mapper<JsonElement, T> f) {
            JsonElement e = required(o, field);
            if (!e.isJsonArray()) {
                throw fail(field, e, "an array");
            }
            JsonArray a = e.getAsJsonArray();
            List<T> out = new ArrayList<>(a.size());
            path.add(field);
            try {
                for (int i = 0; i < a.size(); i++) {
                    path.add("[" + i + "]");
                    try {
                        out.add(f.map(this, a.get(i)));
                    } finally {
                        path.remove(path.size() - 1);
                    }
                }
            } finally {
                path.remove(path.size() - 1);
            }
            return out;
        }

        <T> List<T> optionalList(JsonObject o, String field, Mapper<JsonObject, T> f) {
            return o.has(field) && !o.get(field).isJsonNull() ? list(o, field, f) : List.of();
        }

        List<String> optionalStrings(JsonObject o, String field) {
            if (!o.has(field) || o.get(field).isJsonNull()) {
                return List.of();
            }
            return elements(o, field, (r, e) -> {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw r.fail(null, e, "a string");
                }
                return r.text(null, e.getAsString());
            });
        }

        Map<String, String> optionalStringMap(JsonObject o, String field) {
            if (!o.has(field) || o.get(field).isJsonNull()) {
                return Map.of();
            }
            JsonElement e = o.get(field);
            if (!e.isJsonObject()) {
                throw fail(field, e, "an object of strings");
            }
            Map<String, String> out = new LinkedHashMap<>();
            path.add(field);
            try {
                for (Map.Entry<String, JsonElement> en : e.getAsJsonObject().entrySet()) {
                    out.put(text(null, en.getKey()), string(e.getAsJsonObject(), en.getKey()));
                }
            } finally {
                path.remove(path.size() - 1);
            }
            return out;
        }

        Map<String, Double> numberMap(JsonObject o, String field) {
            JsonElement e = required(o, field);
            if (!e.isJsonObject()) {
                throw fail(field, e, "an object of numbers");
            }
            Map<String, Double> out = new LinkedHashMap<>();
            path.add(field);
            try {
                for (Map.Entry<String, JsonElement> en : e.getAsJsonObject().entrySet()) {
                    out.put(text(null, en.getKey()), number(e.getAsJsonObject(), en.getKey()));
                }
            } finally {
                path.remove(path.size() - 1);
            }
            return out;
        }

        @Override
        public String toString() {
            return file.toString();
        }
    }

    @FunctionalInterface
    private interface Mapper<J, T> {
        T map(Reader r, J json);
    }

    // ---- writing ----

    static String write(BundleManifest m) {
        JsonObject o = new JsonObject();
        o.addProperty("schemaVersion", m.schemaVersion());
        o.addProperty("name", m.name());
        o.addProperty("task", m.task().id());
        o.add("inputs", array(m.inputs(), ManifestJson::tensorSpec));
        o.add("outputs", array(m.outputs(), ManifestJson::tensorSpec));
        if (m.preprocessing() != null) {
            Preprocessing p = m.preprocessing();
            JsonObject po = new JsonObject();
            po.addProperty("layout", p.layout().id());
            po.addProperty("channels", p.channels());
            po.addProperty("height", p.height());
            po.addProperty("width", p.width());
            po.add("mean", array(p.mean(), JsonPrimitive::new));
            po.add("std", array(p.std(), JsonPrimitive::new));
            po.addProperty("resize", p.interpolation().id());
            if (p.crop() != null) {
                po.addProperty("crop", p.crop());
            }
            po.addProperty("channelOrder", p.channelOrder().id());
            po.addProperty("range", p.range().id());
            o.add("preprocessing", po);
        }
        if (!m.labels().isEmpty()) {
            o.add("labels", array(m.labels(), JsonPrimitive::new));
        }
        if (!m.pipeline().isEmpty()) {
            o.add("pipeline", stringMap(m.pipeline()));
        }
        o.add("variants", array(m.variants(), ManifestJson::variant));
        if (!m.reports().isEmpty()) {
            o.add("reports", array(m.reports(), ManifestJson::report));
        }
        addOptional(o, "createdBy", m.createdBy());
        addOptional(o, "createdAt", m.createdAt());
        return GSON.toJson(o) + "\n";
    }

    private static JsonObject tensorSpec(TensorSpec t) {
        JsonObject o = new JsonObject();
        o.addProperty("name", t.name());
        o.addProperty("dataType", t.dataType());
        o.add("shape", array(t.shape(), JsonPrimitive::new));
        return o;
    }

    private static JsonObject variant(Variant v) {
        JsonObject o = new JsonObject();
        o.addProperty("id", v.id());
        o.addProperty("role", v.role().id());
        o.addProperty("file", v.file());
        o.addProperty("format", v.format().id());
        o.addProperty("precision", v.precision().id());
        o.addProperty("attention", v.attention().id());
        o.addProperty("batchMin", v.batchMin());
        o.addProperty("batchOpt", v.batchOpt());
        o.addProperty("batchMax", v.batchMax());
        o.addProperty("sha256", v.sha256());
        o.addProperty("sizeBytes", v.sizeBytes());
        Fingerprint f = v.builtFor();
        JsonObject fo = new JsonObject();
        addOptional(fo, "tensorrt", f.tensorrt());
        addOptional(fo, "gpu", f.gpu());
        addOptional(fo, "computeCapability", f.computeCapability());
        addOptional(fo, "cuda", f.cuda());
        addOptional(fo, "l4t", f.l4t());
        addOptional(fo, "jetpack", f.jetpack());
        if (!f.buildOptions().isEmpty()) {
            fo.add("buildOptions", stringMap(f.buildOptions()));
        }
        o.add("builtFor", fo);
        if (!v.attributes().isEmpty()) {
            o.add("attributes", stringMap(v.attributes()));
        }
        o.add("figures", array(v.figures(), ManifestJson::figure));
        return o;
    }

    private static JsonObject figure(Figure f) {
        JsonObject o = new JsonObject();
        o.addProperty("device", f.device());
        addOptional(o, "powerMode", f.powerMode());
        o.addProperty("backend", f.backend());
        o.addProperty("threads", f.threads());
        o.addProperty("batch", f.batch());
        o.addProperty("latencyP50Ms", f.latencyP50Ms());
        o.addProperty("latencyP95Ms", f.latencyP95Ms());
        o.addProperty("throughputPerSec", f.throughputPerSec());
        if (f.powerW() != null) {
            o.addProperty("powerW", f.powerW());
        }
        if (f.joulesPerInference() != null) {
            o.addProperty("joulesPerInference", f.joulesPerInference());
        }
        o.addProperty("measuredAt", f.measuredAt());
        o.addProperty("simulated", f.simulated());
        return o;
    }

    private static JsonObject report(Report r) {
        JsonObject o = new JsonObject();
        o.addProperty("kind", r.kind());
        o.addProperty("variant", r.variant());
        o.addProperty("reference", r.reference());
        o.addProperty("inputs", r.inputs());
        o.add("metrics", numberMap(r.metrics()));
        if (!r.layers().isEmpty()) {
            o.add("layers", array(r.layers(), l -> {
                JsonObject lo = new JsonObject();
                lo.addProperty("layer", l.layer());
                lo.add("metrics", numberMap(l.metrics()));
                return lo;
            }));
        }
        if (!r.notes().isEmpty()) {
            o.add("notes", array(r.notes(), JsonPrimitive::new));
        }
        return o;
    }

    private static JsonObject numberMap(Map<String, Double> m) {
        JsonObject o = new JsonObject();
        // JSON has no NaN/Infinity: an undefined metric is left out, an unbounded one (SQNR of
        // identical outputs) is written as the largest double.
        m.forEach((k, v) -> {
            if (!v.isNaN()) {
                o.add(k, new JsonPrimitive(Double.isFinite(v) ? v : Math.copySign(Double.MAX_VALUE, v)));
            }
        });
        return o;
    }

    private static JsonObject stringMap(Map<String, String> m) {
        JsonObject o = new JsonObject();
        m.forEach(o::addProperty);
        return o;
    }

    private static void addOptional(JsonObject o, String k, String v) {
        if (v != null) {
            o.addProperty(k, v);
        }
    }

    private static <T> JsonArray array(List<T> items, Function<T, JsonElement> f) {
        JsonArray a = new JsonArray();
        for (T t : items) {
            a.add(t == null ? JsonNull.INSTANCE : f.apply(t));
        }
        return a;
    }
}
