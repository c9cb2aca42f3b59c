package io.jedge.converters.models;

import io.jedge.sdk.AtomicFiles;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header
 * of {@code name → {dtype, shape, data_offsets}}, then raw little-endian data). F32, F16 and BF16
 * tensors are read as float32. Each tensor's bytes are mapped on their own when read, so files over
 * 2 GiB (DiT-XL/2 FP32 is 2.7 GB) load; only a single tensor must stay under 2 GiB.
 */
public final class Safetensors implements WeightSource {
    private static final long MAX_HEADER = 100_000_000;

    private final Path file;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final long dataStart;

    private record Entry(String dtype, long[] shape, long begin, long end) {
    }

    private Safetensors(Path file, long dataStart) {
        this.file = file;
        this.dataStart = dataStart;
    }

    public static Safetensors open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new IllegalArgumentException(file + " is not a safetensors file (shorter than 8 bytes)");
            }
            long headerLen = readFully(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (headerLen <= 0 || headerLen > size - 8 || headerLen > MAX_HEADER) {
                throw new IllegalArgumentException(file + " is not a safetensors file (header length " + headerLen + ")");
            }
            byte[] header = readFully(ch, 8, (int) headerLen).array();
            long dataBytes = size - 8 - headerLen;
            Safetensors s = new Safetensors(file, 8 + headerLen);
            JsonObject o = JsonParser.parseString(new String(header, StandardCharsets.UTF_8)).getAsJsonObject();
            for (Map.Entry<String, JsonElement> e : o.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonObject t = e.getValue().getAsJsonObject();
                long[] shape = new long[t.getAsJsonArray("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.getAsJsonArray("shape").get(i).getAsLong();
                }
                long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
                long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
                if (end > dataBytes || begin < 0 || begin > end) {
                    throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' data " + begin + ".." + end
                            + " lies outside the file's " + dataBytes + " data bytes");
                }
                s.entries.put(e.getKey(), new Entry(t.get("dtype").getAsString(), shape, begin, end));
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read safetensors file " + file + " (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(file + " is not a valid safetensors file (" + e.getMessage() + ")", e);
        }
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("file ends at byte " + (position + b.position()) + ", expected " + (position + length));
            }
        }
        return b.flip();
    }

    public java.util.Set<String> names() {
        return entries.keySet();
    }

    @Override
    public boolean has(String name) {
        return entries.containsKey(name);
    }

    public long[] shape(String name) {
        return entry(name).shape.clone();
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(file + " has no tensor '" + name + "' (it has " + entries.size()
                    + " tensors, e.g. " + entries.keySet().stream().limit(5).toList() + "); see the weight names in the README");
        }
        return e;
    }

    @Override
    public float[] get(String name, long... expectedShape) {
        Entry e = entry(name);
        if (expectedShape.length > 0 && !Arrays.equals(e.shape, expectedShape)) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' has shape " + Arrays.toString(e.shape)
                    + ", expected " + Arrays.toString(expectedShape) + " for this model configuration");
        }
        long bytes = e.end - e.begin;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' holds " + bytes
                    + " bytes; jedge reads tensors of up to 2 GiB each (split it in the checkpoint)");
        }
        int n = (int) bytes;
        ByteBuffer b;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            b = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin, bytes).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new IllegalArgumentException("cannot read tensor '" + name + "' from " + file + " (" + ex.getMessage() + ")", ex);
        }
        float[] out;
        switch (e.dtype) {
            case "F32" -> {
                out = new float[n / 4];
                b.asFloatBuffer().get(out);
            }
            case "F16" -> {
                out = new float[n / 2];
                for (int i = 0; i < out.length; i++) {
                    out[i] = io.jedge.runtime.backend.Float16.toFloat(b.getShort(i * 2));
                }
            }
            case "BF16" -> {
                out = new float[n / 2];
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                }
            }
            default -> throw new IllegalArgumentException(file + ": tensor '" + name + "' has dtype " + e.dtype
                    + "; jedge reads F32, F16 and BF16 weights");
        }
        return out;
    }

    @Override
    public String describe() {
        return "safetensors " + file;
    }

    /** Writes float32 tensors as a safetensors file (names sorted, as the reference writer does). */
    public static void write(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes) throws IOException {
        TreeMap<String, float[]> sorted = new TreeMap<>(tensors);
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, float[]> e : sorted.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            com.google.gson.JsonArray shape = new com.google.gson.JsonArray();
            for (long d : shapes.get(e.getKey())) {
                shape.add(d);
            }
            t.add("shape", shape);
            com.google.gson.JsonArray off = new com.google.gson.JsonArray();
            off.add(offset);
            offset += e.getValue().length * 4L;
            off.add(offset);
            t.add("data_offsets", off);
            header.add(e.getKey(), t);
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        byte[] hp = Arrays.copyOf(h, h.length + pad);
        Arrays.fill(hp, h.length, hp.length, (byte) ' ');
        AtomicFiles.write(file, os -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length);
            os.write(len.array());
            os.write(hp);
            for (float[] v : sorted.values()) {
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                os.write(b.array());
            }
        });
    }
}
