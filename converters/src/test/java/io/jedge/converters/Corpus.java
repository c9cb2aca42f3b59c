package io.jedge.converters;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jedge.sdk.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The conformance corpus in src/test/resources/corpus (made by tools/corpus/make_corpus.py): one
 * folder per export with model.onnx, meta.json and torch_output.f32, listed in corpus.json.
 */
public final class Corpus {
    private Corpus() {
    }

    public static Path dir() {
        try {
            return Path.of(Corpus.class.getResource("/corpus/corpus.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The exports corpus.json lists as "ok"; {@code -Djedge.corpus.only=hf_swin,timm_xcit} keeps
     * those whose name starts with one of the prefixes, while working on one architecture.
     */
    public static List<String> exports() {
        JsonObject index = json(dir().resolve("corpus.json"));
        List<String> only = List.of(System.getProperty("jedge.corpus.only", "").split(",")).stream()
                .filter(p -> !p.isBlank()).toList();
        List<String> names = new ArrayList<>();
        index.getAsJsonArray("ok").forEach(e -> names.add(e.getAsString()));
        return names.stream().filter(n -> only.isEmpty() || only.stream().anyMatch(n::startsWith)).toList();
    }

    public static Path folder(String export) {
        return dir().resolve(export);
    }

    public static JsonObject meta(String export) {
        return json(folder(export).resolve("meta.json"));
    }

    /** meta.json's input_shape: the batch-2 shape torch_output.f32 was computed for. */
    public static long[] inputShape(String export) {
        JsonArray a = meta(export).getAsJsonArray("input_shape");
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    /**
     * The input torch_output.f32 was computed from (make_corpus.py's det_input): x[i] =
     * sin(0.0007·i + 0.3) over the flattened tensor, in double, then cast to float32.
     */
    public static Tensor deterministicInput(long[] shape) {
        float[] x = new float[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.0007 * i + 0.3);
        }
        return Tensor.ofFloats(shape, x);
    }

    private static JsonObject json(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
