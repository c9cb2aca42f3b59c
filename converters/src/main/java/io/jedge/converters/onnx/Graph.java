package io.jedge.converters.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A mutable ONNX graph for rewrite passes: nodes, initializers, inputs, outputs and value infos.
 *
 * <p>Node order is free while editing; {@link #topologicalSort()} (run by
 * {@link OnnxModel#toProto()}) restores a valid order. Lookups scan the node list — build an
 * {@link Index} when a pass needs many of them. Not thread-safe.
 */
public final class Graph {
    private String name;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private final Map<String, ValueInfoProto> valueInfo = new LinkedHashMap<>();
    private final Path baseDir;
    private Set<String> usedNames;
    private final List<TensorProto> sparseAndOther = new ArrayList<>();

    public Graph(String name, Path baseDir) {
        this.name = name;
        this.baseDir = baseDir;
    }

    static Graph fromProto(GraphProto g, Path baseDir) {
        Graph graph = new Graph(g.getName(), baseDir);
        for (NodeProto n : g.getNodeList()) {
            graph.nodes.add(Node.fromProto(n));
        }
        for (TensorProto t : g.getInitializerList()) {
            graph.initializers.put(t.getName(), t);
        }
        Set<String> inits = graph.initializers.keySet();
        for (ValueInfoProto v : g.getInputList()) {
            if (!inits.contains(v.getName())) { // old exporters list initializers as inputs too
                graph.inputs.add(v);
            }
        }
        graph.outputs.addAll(g.getOutputList());
        for (ValueInfoProto v : g.getValueInfoList()) {
            graph.valueInfo.put(v.getName(), v);
        }
        return graph;
    }

    GraphProto toProto() {
        topologicalSort();
        GraphProto.Builder b = GraphProto.newBuilder().setName(name == null ? "graph" : name);
        for (Node n : nodes) {
            b.addNode(n.toProto());
        }
        b.addAllInitializer(initializers.values());
        b.addAllInput(inputs);
        b.addAllOutput(outputs);
        Set<String> io = new HashSet<>();
        inputs.forEach(v -> io.add(v.getName()));
        outputs.forEach(v -> io.add(v.getName()));
        Set<String> produced = new HashSet<>();
        nodes.forEach(n -> produced.addAll(n.outputs()));
        for (ValueInfoProto v : valueInfo.values()) {
            if (produced.contains(v.getName()) && !io.contains(v.getName())) {
                b.addValueInfo(v);
            }
        }
        return b.build();
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** Folder that external data paths are relative to; null for models built in memory. */
    public Path baseDir() {
        return baseDir;
    }

    /** The mutable node list. */
    public List<Node> nodes() {
        return nodes;
    }

    public Map<String, TensorProto> initializers() {
        return initializers;
    }

    public List<ValueInfoProto> inputs() {
        return inputs;
    }

    public List<ValueInfoProto> outputs() {
        return outputs;
    }

    public Map<String, ValueInfoProto> valueInfo() {
        return valueInfo;
    }

    public boolean isInitializer(String tensor) {
        return initializers.containsKey(tensor);
    }

    public Optional<TensorProto> initializer(String tensor) {
        return Optional.ofNullable(initializers.get(tensor));
    }

    /** Constant value of a tensor: an initializer, or the output of a {@code Constant} node. */
    public Optional<TensorProto> constant(String tensor) {
        TensorProto t = initializers.get(tensor);
        if (t != null) {
            return Optional.of(t);
        }
        return producer(tensor).filter(n -> n.is("Constant") && n.has("value")).map(n -> n.attrTensor("value"));
    }

    public float[] floats(TensorProto t) {
        return TensorData.floats(t, baseDir);
    }

    public long[] longs(TensorProto t) {
        return TensorData.longs(t, baseDir);
    }

    public void addInitializer(TensorProto t) {
        initializers.put(t.getName(), t);
        names().add(t.getName());
    }

    public Optional<Node> producer(String tensor) {
        for (Node n : nodes) {
            if (n.outputs().contains(tensor)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    public List<Node> consumers(String tensor) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.inputs().contains(tensor)) {
                out.add(n);
            }
        }
        return out;
    }

    public boolean isGraphOutput(String tensor) {
        return outputs.stream().anyMatch(v -> v.getName().equals(tensor));
    }

    public boolean isGraphInput(String tensor) {
        return inputs.stream().anyMatch(v -> v.getName().equals(tensor));
    }

    /** A tensor or node name not used anywhere in the graph, starting with {@code prefix}. */
    public String uniqueName(String prefix) {
        Set<String> used = names();
        if (!used.contains(prefix)) {
            used.add(prefix);
            return prefix;
        }
        for (int i = 1; ; i++) {
            String candidate = prefix + "_" + i;
            if (!used.contains(candidate)) {
                used.add(candidate);
                return candidate;
            }
        }
    }

    private Set<String> names() {
        if (usedNames == null) {
            usedNames = new HashSet<>();
            for (Node n : nodes) {
                usedNames.add(n.name());
                usedNames.addAll(n.inputs());
                usedNames.addAll(n.outputs());
            }
            usedNames.addAll(initializers.keySet());
            inputs.forEach(v -> usedNames.add(v.getName()));
            outputs.forEach(v -> usedNames.add(v.getName()));
            usedNames.addAll(valueInfo.keySet());
        }
        return usedNames;
    }

    /** Adds a node with fresh output names derived from {@code name}; returns it for attribute setting. */
    public Node addNode(String opType, String name, List<String> inputs, int outputCount) {
        String nodeName = uniqueName(name);
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < outputCount; i++) {
            outs.add(uniqueName(nodeName + (outputCount == 1 ? "_out" : "_out" + i)));
        }
        Node n = new Node(nodeName, opType, "", inputs, outs);
        nodes.add(n);
        return n;
    }

    /** Adds an existing node object (its names must already be unique). */
    public Node add(Node n) {
        nodes.add(n);
        Set<String> used = names();
        used.add(n.name());
        used.addAll(n.outputs());
        return n;
    }

    /**
     * Points every node input reading {@code from} at {@code to} (nodes in {@code except} are left
     * alone). Graph outputs keep their names: when {@code from} is one, the caller makes the new
     * producer write {@code from} itself (see {@link #isGraphOutput}).
     */
    public void replaceUses(String from, String to, Collection<Node> except) {
        for (Node n : nodes) {
            if (!except.contains(n)) {
                n.inputs().replaceAll(in -> in.equals(from) ? to : in);
            }
        }
    }

    /** Removes nodes whose outputs reach no graph output, then initializers nothing reads. */
    public int removeDeadNodes() {
        Set<String> live = new HashSet<>();
        outputs.forEach(v -> live.add(v.getName()));
        Map<String, Node> byOutput = new HashMap<>();
        for (Node n : nodes) {
            n.outputs().forEach(o -> byOutput.put(o, n));
        }
        Set<Node> keep = new HashSet<>();
        Deque<String> work = new ArrayDeque<>(live);
        while (!work.isEmpty()) {
            Node n = byOutput.get(work.pop());
            if (n != null && keep.add(n)) {
                for (String in : n.inputs()) {
                    if (!in.isEmpty()) {
                        work.push(in);
                    }
                }
                for (String in : subgraphReads(n)) {
                    work.push(in);
                }
            }
        }
        int before = nodes.size();
        nodes.removeIf(n -> !keep.contains(n));
        Set<String> read = new HashSet<>();
        for (Node n : nodes) {
            read.addAll(n.inputs());
            read.addAll(subgraphReads(n));
        }
        read.addAll(live);
        initializers.keySet().removeIf(k -> !read.contains(k));
        valueInfo.keySet().removeIf(k -> !read.contains(k) && byOutput.get(k) != null && !keep.contains(byOutput.get(k)));
        usedNames = null;
        return before - nodes.size();
    }

    /** Names read from inside a node's subgraphs (If/Loop/Scan bodies may capture outer tensors). */
    private static Set<String> subgraphReads(Node n) {
        Set<String> out = new HashSet<>();
        for (AttributeProto a : n.attributes().values()) {
            if (a.hasG()) {
                collect(a.getG(), out);
            }
            for (GraphProto g : a.getGraphsList()) {
                collect(g, out);
            }
        }
        return out;
    }

    private static void collect(GraphProto g, Set<String> out) {
        for (NodeProto n : g.getNodeList()) {
            out.addAll(n.getInputList());
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collect(a.getG(), out);
                }
            }
        }
    }

    /** Orders nodes so every input is produced before it is read (stable for already-sorted graphs). */
    public void topologicalSort() {
        Set<String> available = new HashSet<>(initializers.keySet());
        inputs.forEach(v -> available.add(v.getName()));
        available.add("");
        Map<String, Node> byOutput = new HashMap<>();
        for (Node n : nodes) {
            n.outputs().forEach(o -> byOutput.put(o, n));
        }
        List<Node> sorted = new ArrayList<>(nodes.size());
        Set<Node> done = new HashSet<>();
        Set<Node> visiting = new HashSet<>();
        for (Node n : nodes) {
            visit(n, byOutput, available, done, visiting, sorted);
        }
        nodes.clear();
        nodes.addAll(sorted);
    }

    private void visit(Node start, Map<String, Node> byOutput, Set<String> available, Set<Node> done, Set<Node> visiting,
            List<Node> sorted) {
        // iterative DFS: transformer graphs are deep enough to overflow a recursive one
        Deque<Node> stack = new ArrayDeque<>();
        Deque<Integer> next = new ArrayDeque<>();
        if (done.contains(start)) {
            return;
        }
        stack.push(start);
        next.push(0);
        visiting.add(start);
        while (!stack.isEmpty()) {
            Node n = stack.peek();
            List<String> deps = new ArrayList<>(n.inputs());
            deps.addAll(subgraphReads(n));
            int i = next.pop();
            if (i < deps.size()) {
                next.push(i + 1);
                String in = deps.get(i);
                Node p = available.contains(in) ? null : byOutput.get(in);
                if (p != null && !done.contains(p)) {
                    if (visiting.contains(p)) {
                        throw new OnnxFormatException("graph '" + name + "' has a cycle through " + p + " and " + n);
                    }
                    visiting.add(p);
                    stack.push(p);
                    next.push(0);
                }
            } else {
                stack.pop();
                visiting.remove(n);
                done.add(n);
                sorted.add(n);
            }
        }
    }

    /** Static shape of a tensor where the model declares it: dims as numbers, -1 for symbolic/unknown. */
    public Optional<long[]> shape(String tensor) {
        TensorProto init = initializers.get(tensor);
        if (init != null) {
            return Optional.of(TensorData.dims(init));
        }
        ValueInfoProto v = valueInfo(tensor);
        if (v == null || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return Optional.empty();
        }
        return Optional.of(dims(v));
    }

    /** The value info of a tensor from inputs, outputs or value_info; null if none. */
    public ValueInfoProto valueInfo(String tensor) {
        for (ValueInfoProto v : inputs) {
            if (v.getName().equals(tensor)) {
                return v;
            }
        }
        for (ValueInfoProto v : outputs) {
            if (v.getName().equals(tensor)) {
                return v;
            }
        }
        return valueInfo.get(tensor);
    }

    public static long[] dims(ValueInfoProto v) {
        List<TensorShapeProto.Dimension> d = v.getType().getTensorType().getShape().getDimList();
        long[] out = new long[d.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.get(i).hasDimValue() ? d.get(i).getDimValue() : -1;
        }
        return out;
    }

    /** Dims as text, symbolic names kept: {@code [batch,3,224,224]}. */
    public static String dimsText(ValueInfoProto v) {
        if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return "[?]";
        }
        StringBuilder b = new StringBuilder("[");
        List<TensorShapeProto.Dimension> d = v.getType().getTensorType().getShape().getDimList();
        for (int i = 0; i < d.size(); i++) {
            b.append(i > 0 ? "," : "");
            TensorShapeProto.Dimension x = d.get(i);
            b.append(x.hasDimValue() ? String.valueOf(x.getDimValue()) : x.hasDimParam() && !x.getDimParam().isEmpty() ? x.getDimParam() : "?");
        }
        return b.append(']').toString();
    }

    public static int elemType(ValueInfoProto v) {
        return v.getType().getTensorType().getElemType();
    }

    /** A tensor value info; dims < 0 become the symbolic name {@code dimNames[i]} (or unknown if null). */
    public static ValueInfoProto tensorInfo(String name, int elemType, long[] dims, String... dimNames) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dims[i] >= 0) {
                d.setDimValue(dims[i]);
            } else if (i < dimNames.length && dimNames[i] != null) {
                d.setDimParam(dimNames[i]);
            }
            s.addDim(d);
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s)))
                .build();
    }

    /** Builds a lookup index over the current nodes; stale once the graph is edited. */
    public Index index() {
        return new Index(this);
    }

    /** Producer/consumer maps of a graph at one moment. */
    public static final class Index {
        private final Map<String, Node> producers = new HashMap<>();
        private final Map<String, List<Node>> consumers = new HashMap<>();

        private Index(Graph g) {
            for (Node n : g.nodes) {
                for (String o : n.outputs()) {
                    producers.put(o, n);
                }
                for (String i : n.inputs()) {
                    consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
                }
            }
        }

        public Optional<Node> producer(String tensor) {
            return Optional.ofNullable(producers.get(tensor));
        }

        public List<Node> consumers(String tensor) {
            return consumers.getOrDefault(tensor, List.of());
        }
    }
}
