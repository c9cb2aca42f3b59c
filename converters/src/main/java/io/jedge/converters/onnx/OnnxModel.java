package io.jedge.converters.onnx;

import io.jedge.sdk.AtomicFiles;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model: opset imports, metadata and a {@link Graph}. Reads and writes the protobuf format,
 * including tensors stored in external data files (needed beyond protobuf's 2 GB limit).
 *
 * <pre>{@code
 * OnnxModel m = OnnxModel.load(Path.of("model.onnx"));
 * m.graph().removeDeadNodes();
 * m.save(Path.of("out.onnx"));
 * }</pre>
 */
public final class OnnxModel {
    /** Models whose initializers exceed this are saved with external data. */
    public static final long EXTERNAL_DATA_THRESHOLD = 1L << 30;
    /** Tensors smaller than this stay inline even in external-data models. */
    private static final int INLINE_LIMIT = 1024;

    private long irVersion;
    private final Map<String, Long> opsets = new LinkedHashMap<>();
    private String producerName = "jedge";
    private String producerVersion = "";
    private String docString = "";
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<FunctionProto> functions = new ArrayList<>();
    private final Graph graph;

    public OnnxModel(long irVersion, Map<String, Long> opsets, Graph graph) {
        this.irVersion = irVersion;
        this.opsets.putAll(opsets);
        this.graph = graph;
    }

    public static OnnxModel load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream cis = CodedInputStream.newInstance(in);
            cis.setSizeLimit(Integer.MAX_VALUE);
            cis.setRecursionLimit(1000);
            ModelProto p = ModelProto.parseFrom(cis);
            if (!p.hasGraph()) {
                throw new OnnxFormatException(file + " is not an ONNX model (no graph); expected a file written by torch.onnx.export or jedge");
            }
            return fromProto(p, file.toAbsolutePath().getParent());
        } catch (NoSuchFileException e) {
            throw new OnnxFormatException("model file " + file + " does not exist", e);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new OnnxFormatException(file + " is not a valid ONNX protobuf (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new OnnxFormatException("cannot read " + file + " (" + e.getMessage() + ")", e);
        }
    }

    public static OnnxModel fromProto(ModelProto p, Path baseDir) {
        Map<String, Long> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto o : p.getOpsetImportList()) {
            opsets.put(o.getDomain().equals("ai.onnx") ? "" : o.getDomain(), o.getVersion());
        }
        OnnxModel m = new OnnxModel(p.getIrVersion(), opsets, Graph.fromProto(p.getGraph(), baseDir));
        m.producerName = p.getProducerName();
        m.producerVersion = p.getProducerVersion();
        m.docString = p.getDocString();
        for (StringStringEntryProto e : p.getMetadataPropsList()) {
            m.metadata.put(e.getKey(), e.getValue());
        }
        m.functions.addAll(p.getFunctionsList());
        return m;
    }

    public Graph graph() {
        return graph;
    }

    public long irVersion() {
        return irVersion;
    }

    public void setIrVersion(long v) {
        irVersion = v;
    }

    /** Opset per domain; the default ONNX domain is "". */
    public Map<String, Long> opsets() {
        return opsets;
    }

    public long opset() {
        return opsets.getOrDefault("", 0L);
    }

    public String producerName() {
        return producerName;
    }

    public String producerVersion() {
        return producerVersion;
    }

    public void setProducer(String name, String version) {
        producerName = name;
        producerVersion = version;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public List<FunctionProto> functions() {
        return functions;
    }

    /** Total bytes of all initializers. */
    public long initializerBytes() {
        long n = 0;
        for (TensorProto t : graph.initializers().values()) {
            n += TensorData.elementCount(t) * TensorData.elementSize(t.getDataType());
        }
        return n;
    }

    /** The model as a protobuf with all data inline (for small models and ONNX Runtime from bytes). */
    public ModelProto toProto() {
        return toProto(graph.toProto());
    }

    private ModelProto toProto(GraphProto g) {
        ModelProto.Builder b = ModelProto.newBuilder().setIrVersion(irVersion).setProducerName(producerName)
                .setProducerVersion(producerVersion).setGraph(g);
        if (!docString.isEmpty()) {
            b.setDocString(docString);
        }
        opsets.forEach((d, v) -> b.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(v)));
        metadata.forEach((k, v) -> b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        b.addAllFunctions(functions);
        return b.build();
    }

    /** Saves, using an external data file ({@code NAME.onnx.data}) when the weights exceed 1 GiB. */
    public void save(Path file) {
        save(file, initializerBytes() > EXTERNAL_DATA_THRESHOLD);
    }

    /**
     * Saves the model. With {@code externalData}, every tensor of 1 KiB or more goes into
     * {@code <file name>.data} beside the model; otherwise all data is inline (external tensors of
     * the source model are read in).
     */
    public void save(Path file, boolean externalData) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            GraphProto g = graph.toProto();
            GraphProto.Builder gb = g.toBuilder().clearInitializer();
            if (externalData) {
                String dataName = file.getFileName() + ".data";
                Path dataFile = dir.resolve(dataName);
                AtomicFiles.write(dataFile, raw -> {
                    OutputStream os = new BufferedOutputStream(raw, 1 << 20);
                    WritableByteChannel ch = Channels.newChannel(os);
                    long offset = 0;
                    for (TensorProto t : g.getInitializerList()) {
                        ByteBuffer bytes = TensorData.rawBytes(t, graph.baseDir());
                        int len = bytes.remaining();
                        if (len < INLINE_LIMIT) {
                            gb.addInitializer(TensorData.inline(t, graph.baseDir()));
                            continue;
                        }
                        // ONNX Runtime memory-maps external data; keep 4 KiB alignment like onnx.save does.
                        long pad = (4096 - offset % 4096) % 4096;
                        if (pad > 0) {
                            ch.write(ByteBuffer.allocate((int) pad));
                            offset += pad;
                        }
                        ch.write(bytes.duplicate());
                        gb.addInitializer(t.toBuilder().clearRawData().clearFloatData().clearInt32Data().clearInt64Data()
                                .clearDoubleData().clearExternalData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(entry("location", dataName)).addExternalData(entry("offset", String.valueOf(offset)))
                                .addExternalData(entry("length", String.valueOf(len))).build());
                        offset += len;
                    }
                    os.flush();
                });
            } else {
                for (TensorProto t : g.getInitializerList()) {
                    gb.addInitializer(TensorData.inline(t, graph.baseDir()));
                }
            }
            ModelProto p = toProto(gb.build());
            if (!externalData && p.getSerializedSize() < 0) {
                throw new OnnxFormatException("model is larger than 2 GB; save it with external data");
            }
            AtomicFiles.write(file, raw -> {
                OutputStream os = new BufferedOutputStream(raw, 1 << 20);
                p.writeTo(os);
                os.flush();
            });
        } catch (IOException e) {
            throw new OnnxFormatException("cannot write " + file + " (" + e.getMessage() + ")", e);
        }
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    /** Serialized bytes with all data inline. */
    public byte[] toBytes() {
        ModelProto p = graphWithInlineData();
        if (p.getSerializedSize() < 0) { // protobuf sizes are ints: it overflowed
            throw new OnnxFormatException("model is larger than 2 GB, which cannot be held as one serialized message;"
                    + " save it with external data and load it from the file");
        }
        return p.toByteArray();
    }

    private ModelProto graphWithInlineData() {
        GraphProto g = graph.toProto();
        GraphProto.Builder gb = g.toBuilder().clearInitializer();
        for (TensorProto t : g.getInitializerList()) {
            gb.addInitializer(TensorData.inline(t, graph.baseDir()));
        }
        return toProto(gb.build());
    }

    /** A deep copy (external data stays referenced by path). */
    public OnnxModel copy() {
        return fromProto(toProto(), graph.baseDir());
    }

    /**
     * A copy that also outputs {@code extra} tensors, to read intermediates (calibration, layer-wise
     * comparison). Names no node produces, or that are outputs already, are skipped. A tensor with a
     * declared value info keeps it; the others get their element type ({@link Shapes#elementTypes}) and
     * no shape: TensorRT's parser refuses an output without a type, and both runtimes infer shapes.
     * One whose type cannot be inferred is added by name only (ONNX Runtime infers it).
     */
    public OnnxModel withOutputs(java.util.Collection<String> extra) {
        OnnxModel copy = copy();
        Graph g = copy.graph();
        java.util.Set<String> present = new java.util.HashSet<>();
        g.outputs().forEach(v -> present.add(v.getName()));
        java.util.Set<String> produced = new java.util.HashSet<>();
        for (Node n : g.nodes()) {
            produced.addAll(n.outputs());
        }
        Map<String, Integer> types = null;
        for (String t : extra) {
            if (produced.contains(t) && present.add(t)) {
                ValueInfoProto known = g.valueInfo().get(t);
                if (known == null || !known.getType().hasTensorType() || Graph.elemType(known) == 0) {
                    types = types != null ? types : Shapes.elementTypes(g);
                    Integer type = types.get(t);
                    ValueInfoProto.Builder v = ValueInfoProto.newBuilder().setName(t);
                    if (type != null && type != 0) {
                        v.getTypeBuilder().getTensorTypeBuilder().setElemType(type);
                    }
                    known = v.build();
                }
                g.outputs().add(known);
            }
        }
        return copy;
    }
}
