package io.jedge.runtime.backend.trt;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What an engine runs, read from TensorRT's engine inspector JSON
 * ({@link TrtInferenceSession#layerInformation()}): one entry per engine layer after fusion, i.e.
 * per kernel launch (or Myelin region), unlike the network's layer count before the build.
 *
 * @param layers         engine layers
 * @param detailed       whether the plan kept kernel names (built with detailed profiling)
 * @param byType         layers per TensorRT layer type (detailed plans only)
 * @param dataMovement   layers that only move data: reformats, shuffles, copies, concatenations
 * @param fusedAttention layers whose kernel is a fused attention kernel (MHA/FMHA/flash), with their names
 */
public record EngineLayers(int layers, boolean detailed, Map<String, Integer> byType, int dataMovement,
        List<String> fusedAttention) {
    private static final Pattern ATTENTION = Pattern.compile("(?i)(^|[^a-z])(f?mha|flash|attention|_attn)");
    private static final Pattern MOVEMENT = Pattern.compile("(?i)(reformat|shuffle|copy|concat|slice|transpose)");

    public EngineLayers {
        byType = Map.copyOf(byType);
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
        Map<String, Integer> byType = new TreeMap<>();
        int movement = 0;
        List<String> attention = new ArrayList<>();
        for (JsonElement e : layers) {
            String name;
            String type = "";
            String tactic = "";
            if (e.isJsonObject()) {
                JsonObject o = e.getAsJsonObject();
                name = text(o, "Name");
                type = text(o, "LayerType");
                tactic = text(o, "TacticName");
                detailed |= !type.isEmpty();
            } else {
                name = e.isJsonPrimitive() ? e.getAsString() : e.toString();
            }
            if (!type.isEmpty()) {
                byType.merge(type, 1, Integer::sum);
            }
            if (MOVEMENT.matcher(type).find() || (type.isEmpty() && MOVEMENT.matcher(name).find() && !name.contains("ForeignNode"))) {
                movement++;
            }
            if (ATTENTION.matcher(tactic).find() || ATTENTION.matcher(type).find()) {
                attention.add(name);
            }
        }
        return new EngineLayers(layers.size(), detailed, byType, movement, attention);
    }

    private static String text(JsonObject o, String key) {
        JsonElement v = o.get(key);
        return v == null || v.isJsonNull() ? "" : v.isJsonPrimitive() ? v.getAsString() : v.toString();
    }

    /** The figures for a benchmark record. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine_layers", layers);
        m.put("detailed", detailed);
        m.put("data_movement_layers", dataMovement);
        m.put("fused_attention_layers", fusedAttention.size());
        if (!byType.isEmpty()) {
            m.put("by_type", byType);
        }
        return m;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d engine layers (%d data movement, %d fused attention)%s", layers, dataMovement,
                fusedAttention.size(), detailed ? "" : "; names only: build with detailed layers for kernels");
    }
}
