package io.jedge.runtime.backend.ort;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a tiny ONNX model in code (protobuf encoded by hand: jetson-runtime has no ONNX library):
 * for each element type, {@code out_T = Add(in_T, in_T)} with shape {@code [N, 4]}.
 */
final class TinyOnnx {
    /** ONNX TensorProto.DataType codes and the suffix used in tensor names. */
    static final int FLOAT = 1, UINT8 = 2, INT32 = 6, INT64 = 7, FLOAT16 = 10;
    static final int[] TYPES = {FLOAT, FLOAT16, UINT8, INT32, INT64};

    private TinyOnnx() {
    }

    static String suffix(int type) {
        return switch (type) {
            case FLOAT -> "float32";
            case FLOAT16 -> "float16";
            case UINT8 -> "uint8";
            case INT32 -> "int32";
            case INT64 -> "int64";
            default -> throw new IllegalArgumentException("type " + type);
        };
    }

    static Path write(Path dir) throws Exception {
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        for (int t : TYPES) {
            String in = "in_" + suffix(t);
            String out = "out_" + suffix(t);
            ByteArrayOutputStream node = new ByteArrayOutputStream();
            str(node, 1, in);
            str(node, 1, in);
            str(node, 2, out);
            str(node, 4, "Add");
            msg(graph, 1, node.toByteArray());
        }
        str(graph, 2, "tiny");
        for (int t : TYPES) {
            msg(graph, 11, valueInfo("in_" + suffix(t), t));
        }
        for (int t : TYPES) {
            msg(graph, 12, valueInfo("out_" + suffix(t), t));
        }
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        varintField(model, 1, 8); // ir_version
        msg(model, 7, graph.toByteArray());
        ByteArrayOutputStream opset = new ByteArrayOutputStream();
        str(opset, 1, "");
        varintField(opset, 2, 17);
        msg(model, 8, opset.toByteArray());
        Path file = dir.resolve("tiny.onnx");
        Files.write(file, model.toByteArray());
        return file;
    }

    private static byte[] valueInfo(String name, int type) {
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        str(batch, 2, "N");
        msg(shape, 1, batch.toByteArray());
        ByteArrayOutputStream four = new ByteArrayOutputStream();
        varintField(four, 1, 4);
        msg(shape, 1, four.toByteArray());
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        varintField(tensor, 1, type);
        msg(tensor, 2, shape.toByteArray());
        ByteArrayOutputStream typeProto = new ByteArrayOutputStream();
        msg(typeProto, 1, tensor.toByteArray());
        ByteArrayOutputStream vi = new ByteArrayOutputStream();
        str(vi, 1, name);
        msg(vi, 2, typeProto.toByteArray());
        return vi.toByteArray();
    }

    private static void str(ByteArrayOutputStream o, int field, String s) {
        msg(o, field, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void msg(ByteArrayOutputStream o, int field, byte[] b) {
        varint(o, (field << 3) | 2);
        varint(o, b.length);
        o.writeBytes(b);
    }

    private static void varintField(ByteArrayOutputStream o, int field, long v) {
        varint(o, field << 3);
        varint(o, v);
    }

    private static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7fL) != 0) {
            o.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }
}
