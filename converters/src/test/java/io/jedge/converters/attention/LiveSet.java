package io.jedge.converters.attention;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph's own activation peak: from ONNX Runtime's optimised model and its profile (both written
 * by {@link ElfattMemory} with {@code profile=DIR}), replays the last run's node order, counts each
 * output tensor from its producer until its last consumer has run, and prints the peak and the
 * tensors alive there. What the process's RSS shows beyond it is ONNX Runtime's allocator and kernel
 * scratch, not the emitted form.
 *
 * <pre>
 * java -cp CP io.jedge.converters.attention.LiveSet DIR/opt-elfatt-1024.onnx DIR/prof-elfatt-1024_*.json
 * </pre>
 */
public final class LiveSet {
    private LiveSet() {
    }

    /**
     * Replays the allocations into one buffer: each new tensor takes the smallest gap between live
     * tensors that fits it, else goes after the last one; the buffer is the highest end reached.
     */
    static long patternBytes(List<Node> order, Map<String, Long> bytes, Map<String, Integer> lastUse) {
        java.util.TreeMap<Long, Long> blocks = new java.util.TreeMap<>(); // offset -> size
        Map<String, Long> offsetOf = new HashMap<>();
        long high = 0;
        for (int i = 0; i < order.size(); i++) {
            for (String o : order.get(i).outputs()) {
                Long size = bytes.get(o);
                if (size == null) {
                    continue;
                }
                long best = -1;
                long bestGap = Long.MAX_VALUE;
                long prevEnd = 0;
                for (Map.Entry<Long, Long> b : blocks.entrySet()) {
                    long gap = b.getKey() - prevEnd;
                    if (gap >= size && gap < bestGap) {
                        best = prevEnd;
                        bestGap = gap;
                    }
                    prevEnd = b.getKey() + b.getValue();
                }
                long at = best >= 0 ? best : prevEnd;
                blocks.put(at, size);
                offsetOf.put(o, at);
                high = Math.max(high, at + size);
            }
            for (String in : order.get(i).inputs()) {
                if (lastUse.getOrDefault(in, -1) == i && offsetOf.containsKey(in)) {
                    blocks.remove(offsetOf.remove(in));
                }
            }
        }
        return high;
    }

    public static void main(String[] a) throws IOException {
        if (a.length != 2) {
            System.err.println("usage: LiveSet OPTIMISED.onnx PROFILE.json");
            System.exit(2);
        }
        OnnxModel m = OnnxModel.load(Path.of(a[0]));
        Map<String, Node> byName = new HashMap<>();
        for (Node n : m.graph().nodes()) {
            byName.put(n.name(), n);
        }
        List<JsonObject> events = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(Files.readString(Path.of(a[1]))).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("cat") && o.get("cat").getAsString().equals("Node") && o.get("name").getAsString().endsWith("_kernel_time")) {
                events.add(o);
            }
        }
        List<JsonObject> lastRun = events.subList(Math.max(0, events.size() - m.graph().nodes().size()), events.size());
        Map<String, Long> bytes = new HashMap<>();
        Map<String, Integer> lastUse = new HashMap<>();
        List<Node> order = new ArrayList<>();
        for (JsonObject ev : lastRun) {
            Node n = byName.get(ev.get("name").getAsString().replace("_kernel_time", ""));
            if (n == null) {
                throw new IllegalStateException("profile node " + ev.get("name") + " is not in " + a[0] + "; give the model written with this profile");
            }
            order.add(n);
            JsonArray outs = ev.getAsJsonObject("args").getAsJsonArray("output_type_shape");
            for (int k = 0; k < outs.size() && k < n.outputs().size(); k++) {
                JsonObject t = outs.get(k).getAsJsonObject();
                String type = t.keySet().iterator().next();
                long size = type.equals("int64") || type.equals("double") ? 8 : type.equals("float16") ? 2 : 4;
                for (JsonElement d : t.getAsJsonArray(type)) {
                    size *= d.getAsLong();
                }
                bytes.put(n.outputs().get(k), size);
            }
            for (String in : n.inputs()) {
                lastUse.put(in, order.size() - 1);
            }
        }
        long live = 0;
        long peak = 0;
        int peakAt = 0;
        Set<String> alive = new LinkedHashSet<>();
        List<String> atPeak = List.of();
        for (int i = 0; i < order.size(); i++) {
            for (String o : order.get(i).outputs()) {
                if (bytes.containsKey(o)) {
                    live += bytes.get(o);
                    alive.add(o);
                }
            }
            if (live > peak) {
                peak = live;
                peakAt = i;
                atPeak = new ArrayList<>(alive);
            }
            for (String in : order.get(i).inputs()) {
                if (lastUse.getOrDefault(in, -1) == i && alive.remove(in)) {
                    live -= bytes.get(in);
                }
            }
        }
        System.out.printf("memory-pattern block if packed best-fit in this order (as ONNX Runtime's planner traces it): %.1f MiB%n",
                patternBytes(order, bytes, lastUse) / 1048576.0);
        System.out.printf("graph activation peak %.1f MiB at node %d of %d (%s %s); alive there:%n", peak / 1048576.0, peakAt, order.size(),
                order.get(peakAt).opType(), order.get(peakAt).name());
        Map<String, Node> producer = new HashMap<>();
        order.forEach(n -> n.outputs().forEach(o -> producer.put(o, n)));
        atPeak.stream().sorted(Comparator.comparingLong(t -> -bytes.get(t))).limit(10).forEach(t ->
                System.out.printf("  %6.2f MiB  %s %s%n", bytes.get(t) / 1048576.0, producer.get(t).opType(), producer.get(t).name()));
    }
}
