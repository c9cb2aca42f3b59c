package io.jedge.runtime.backend.trt;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an engine runs, read from TensorRT's engine inspector JSON
 * ({@link TrtInferenceSession#layerInformation()}): the engine's layers after fusion. In a plan built with
 * detailed profiling each layer has a type; the kernels are the layers that launch one (every type but TensorRT 10's
 * host-side {@code shape_call} and its stream {@code signal}/{@code wait} entries).
 *
 * @param layers         engine layers, kernels or not
 * @param detailed       whether the plan kept layer types and kernel names (built with detailed profiling); the
 *                       figures below are measured only then
 * @param kernels        layers that launch a kernel
 * @param byType         layers per TensorRT layer type, sorted by type
 * @param dataMovement   kernels that only move data: reformats, and generated (Myelin) kernels whose every op is a
 *                       slice, reshape, transpose, concat or pad ({@code __myl_SliResTraRes...})
 * @param fusedAttention the names of the kernels that are fused attention (MHA/FMHA/flash)
 */
public record EngineLayers(int layers, boolean detailed, int kernels, Map<String, Integer> byType, int dataMovement,
        List<String> fusedAttention) {
    private static final Pattern ATTENTION = Pattern.compile("(?i)(_mha|fmha|flash)");
    private static final Set<String> NOT_KERNELS = Set.of("shape_call", "signal", "wait");
    /** Myelin's three-letter op codes of ops that only move data. */
    private static final Set<String> MOVING_OPS = Set.of("Sli", "Res", "Tra", "Con", "Pad", "Cop");
    private static final Pattern MYELIN_OPS = Pattern.compile("^__myl_((?:[A-Z][a-z]{2})+)_");

    public EngineLayers {
        byType = Collections.unmodifiableMap(new TreeMap<>(byType));
        fusedAttention = List.copyOf(fusedAttention);
    }

    /**
     * Reads {@code IEngineInspector::getEngineInformation(kJSON)}: {@code {"Layers": [...], "Bindings": [...]}} where
     * each layer is an object with {@code Name}, {@code LayerType}, {@code TacticName} (detailed) or just its name.
     *
     * @throws IllegalArgumentException when the text is not that JSON, naming what is wrong
     */
    public static EngineLayers parse(String json) {
        JsonArray layers;
        try {
            JsonElement root = JsonParser.parseString(json);
            if (!root.isJsonObject() || !root.getAsJsonObject().has("Layers") || !root.getAsJsonObject().get("Layers").isJsonArray()) {
                throw new IllegalArgumentException("engine layer information: expected a JSON object with a \"Layers\" array");
            }
            layers = root.getAsJsonObject().getAsJsonArray("Layers");
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("engine layer information is not JSON: " + e.getMessage(), e);
        }
        boolean detailed = false;
        int kernels = 0;
        int movement = 0;
        Map<String, Integer> byType = new TreeMap<>();
        List<String> attention = new ArrayList<>();
        for (JsonElement e : layers) {
            if (!e.isJsonObject()) {
                continue; // names only: nothing to classify
            }
            JsonObject o = e.getAsJsonObject();
            String name = text(o, "Name");
            String type = text(o, "LayerType");
            if (type.isEmpty()) {
                continue;
            }
            detailed = true;
            byType.merge(type, 1, Integer::sum);
            if (NOT_KERNELS.contains(type)) {
                continue;
            }
            kernels++;
            if (type.equals("Reformat") || movesDataOnly(name)) {
                movement++;
            }
            if (ATTENTION.matcher(text(o, "TacticName")).find() || ATTENTION.matcher(name).find()) {
                attention.add(name);
            }
        }
        return new EngineLayers(layers.size(), detailed, kernels, byType, movement, attention);
    }

    private static boolean movesDataOnly(String name) {
        Matcher m = MYELIN_OPS.matcher(name);
        if (!m.find()) {
            return false;
        }
        String ops = m.group(1);
        for (int i = 0; i < ops.length(); i += 3) {
            if (!MOVING_OPS.contains(ops.substring(i, i + 3))) {
                return false;
            }
        }
        return true;
    }

    private static String text(JsonObject o, String key) {
        JsonElement v = o.get(key);
        return v == null || v.isJsonNull() ? "" : v.isJsonPrimitive() ? v.getAsString() : v.toString();
    }

    /** The figures for a benchmark record; those a names-only plan cannot give are left out, not zero. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine_layers", layers);
        m.put("detailed", detailed);
        if (detailed) {
            m.put("kernels", kernels);
            m.put("data_movement_kernels", dataMovement);
            m.put("fused_attention_kernels", fusedAttention.size());
            m.put("by_type", byType);
        }
        return m;
    }

    @Override
    public String toString() {
        return detailed
                ? String.format(Locale.ROOT, "%d engine layers, %d kernels (%d only move data, %d fused attention)", layers, kernels,
                        dataMovement, fusedAttention.size())
                : layers + " engine layers; names only: build with detailed layers for kernels";
    }
}
