package io.jedge.runtime.backend.trt.build;

import java.util.List;

/**
 * One error of TensorRT's ONNX parser ({@code IParserError}), copied out of native memory.
 *
 * @param node     index of the failing node in the graph, or -1 when the error is not about one node
 * @param nodeName the node's name, may be empty
 * @param operator the node's op type, may be empty
 * @param code     the parser's error code name, e.g. {@code kUNSUPPORTED_NODE}
 * @param desc     the parser's description
 */
record ParserIssue(int node, String nodeName, String operator, String code, String desc) {
    /** e.g. {@code node 812 'Attention_0' (Attention): Cannot find plugin: Attention [kUNSUPPORTED_NODE]}. */
    String describe() {
        StringBuilder b = new StringBuilder();
        if (node >= 0) {
            b.append("node ").append(node);
            if (nodeName != null && !nodeName.isEmpty()) {
                b.append(" '").append(nodeName).append('\'');
            }
            if (operator != null && !operator.isEmpty()) {
                b.append(" (").append(operator).append(')');
            }
            b.append(": ");
        }
        b.append(desc == null || desc.isBlank() ? "no description" : desc.trim().replaceAll("\\s*[\\r\\n]+\\s*", " "));
        if (code != null && !code.isEmpty()) {
            b.append(" [").append(code).append(']');
        }
        return b.toString();
    }

    /** The message of a failed parse; at most five issues are spelled out. */
    static String message(String model, List<ParserIssue> issues) {
        StringBuilder b = new StringBuilder("TensorRT's ONNX parser rejected ").append(model);
        if (issues.isEmpty()) {
            return b.append(" without saying why (see the TensorRT log)").toString();
        }
        b.append(": ");
        int shown = Math.min(5, issues.size());
        for (int i = 0; i < shown; i++) {
            b.append(i > 0 ? "; " : "").append(issues.get(i).describe());
        }
        if (issues.size() > shown) {
            b.append("; and ").append(issues.size() - shown).append(" more");
        }
        boolean unsupported = issues.stream().anyMatch(i -> "kUNSUPPORTED_NODE".equals(i.code())
                || (i.desc() != null && i.desc().contains("Cannot find plugin")));
        if (unsupported) {
            b.append(". Lower ops newer than the parser (e.g. opset-23 Attention) to MatMul/Softmax before building");
        }
        return b.toString();
    }
}
