package io.jedge.converters.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A mutable graph node. Passes edit inputs/outputs/attributes in place; {@link Graph} keeps no
 * derived index, so edits never go stale.
 */
public final class Node {
    private String name;
    private String opType;
    private String domain;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, AttributeProto> attributes = new LinkedHashMap<>();

    public Node(String name, String opType, String domain, List<String> inputs, List<String> outputs) {
        this.name = name;
        this.opType = opType;
        this.domain = domain == null ? "" : domain;
        this.inputs = new ArrayList<>(inputs);
        this.outputs = new ArrayList<>(outputs);
    }

    static Node fromProto(NodeProto p) {
        Node n = new Node(p.getName(), p.getOpType(), p.getDomain(), p.getInputList(), p.getOutputList());
        for (AttributeProto a : p.getAttributeList()) {
            n.attributes.put(a.getName(), a);
        }
        return n;
    }

    NodeProto toProto() {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).addAllInput(inputs).addAllOutput(outputs);
        if (name != null && !name.isEmpty()) {
            b.setName(name);
        }
        if (!domain.isEmpty()) {
            b.setDomain(domain);
        }
        b.addAllAttribute(attributes.values());
        return b.build();
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String opType() {
        return opType;
    }

    public void setOpType(String opType) {
        this.opType = opType;
    }

    /** "" for the default ONNX domain. */
    public String domain() {
        return domain;
    }

    public void setDomain(String domain) {
        this.domain = domain == null ? "" : domain;
    }

    public boolean is(String op) {
        return opType.equals(op) && (domain.isEmpty() || domain.equals("ai.onnx"));
    }

    /** Mutable list of input names; "" marks an omitted optional input. */
    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    public String output(int i) {
        return outputs.get(i);
    }

    public Map<String, AttributeProto> attributes() {
        return attributes;
    }

    public boolean has(String attr) {
        return attributes.containsKey(attr);
    }

    public long attrInt(String attr, long dflt) {
        AttributeProto a = attributes.get(attr);
        return a == null ? dflt : a.getI();
    }

    public float attrFloat(String attr, float dflt) {
        AttributeProto a = attributes.get(attr);
        return a == null ? dflt : a.getF();
    }

    public String attrString(String attr, String dflt) {
        AttributeProto a = attributes.get(attr);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    public List<Long> attrInts(String attr) {
        AttributeProto a = attributes.get(attr);
        return a == null ? List.of() : a.getIntsList();
    }

    public TensorProto attrTensor(String attr) {
        AttributeProto a = attributes.get(attr);
        return a == null ? null : a.getT();
    }

    public Node set(String attr, long v) {
        attributes.put(attr, AttributeProto.newBuilder().setName(attr).setType(AttributeProto.AttributeType.INT).setI(v).build());
        return this;
    }

    public Node set(String attr, float v) {
        attributes.put(attr, AttributeProto.newBuilder().setName(attr).setType(AttributeProto.AttributeType.FLOAT).setF(v).build());
        return this;
    }

    public Node set(String attr, String v) {
        attributes.put(attr, AttributeProto.newBuilder().setName(attr).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build());
        return this;
    }

    public Node set(String attr, long[] v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(attr).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        attributes.put(attr, b.build());
        return this;
    }

    public Node set(String attr, TensorProto t) {
        attributes.put(attr, AttributeProto.newBuilder().setName(attr).setType(AttributeProto.AttributeType.TENSOR).setT(t).build());
        return this;
    }

    @Override
    public String toString() {
        return (domain.isEmpty() ? "" : domain + "::") + opType + "('" + name + "')";
    }
}
