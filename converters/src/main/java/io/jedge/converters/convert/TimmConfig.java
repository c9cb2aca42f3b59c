package io.jedge.converters.convert;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.jedge.sdk.bundle.Preprocessing.Interpolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the preprocessing keys of a timm {@code pretrained_cfg}: input_size [C,H,W], mean, std,
 * interpolation, crop_pct, crop_mode. A Hugging Face hub {@code config.json} nests them under
 * {@code "pretrained_cfg"}; both forms are accepted. Other keys are ignored.
 */
final class TimmConfig {
    private static final List<String> KEYS = List.of("input_size", "mean", "std", "interpolation", "crop_pct");

    private static final long MAX_BYTES = 1L << 20;

    private TimmConfig() {
    }

    static PreprocessingOptions read(Path file) {
        String where = "--preprocess timm-config " + file;
        JsonObject o;
        try {
            if (Files.size(file) > MAX_BYTES) { // a pretrained_cfg is a few hundred bytes; anything huge is another file
                throw new IllegalArgumentException(where + ": " + Files.size(file) + " bytes, expected a timm pretrained_cfg JSON"
                        + " of at most " + (MAX_BYTES >> 20) + " MiB");
            }
            JsonElement e = JsonParser.parseString(Files.readString(file));
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(where + ": expected a JSON object (timm's pretrained_cfg)");
            }
            o = e.getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": cannot be read (" + e + ")", e);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(where + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (o.has("pretrained_cfg") && o.get("pretrained_cfg").isJsonObject()) {
            o = o.getAsJsonObject("pretrained_cfg");
        }
        if (KEYS.stream().noneMatch(o::has)) {
            throw new IllegalArgumentException(where + ": holds none of " + KEYS + "; expected a timm pretrained_cfg "
                    + "such as {\"input_size\": [3, 224, 224], \"interpolation\": \"bicubic\", \"crop_pct\": 0.9, ...}");
        }
        String mode = string(o, "crop_mode", where);
        if (mode != null && !mode.equals("center")) {
            throw new IllegalArgumentException(where + ": crop_mode '" + mode + "' is not supported, expected center");
        }
        Integer channels = null;
        Integer height = null;
        Integer width = null;
        String sizeSource = null;
        List<Double> size = numbers(o, "input_size", where);
        if (size != null) {
            if (size.size() != 3 || size.stream().anyMatch(d -> d != Math.rint(d) || d < 1)) {
                throw new IllegalArgumentException(where + ": input_size " + o.get("input_size") + ", expected [C, H, W] of positive integers");
            }
            channels = size.get(0).intValue();
            height = size.get(1).intValue();
            width = size.get(2).intValue();
            sizeSource = where + " (input_size " + o.get("input_size") + ")";
        }
        Interpolation f = null;
        String interpolation = string(o, "interpolation", where);
        if (interpolation != null) {
            try {
                f = Interpolation.parse(interpolation);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": interpolation: " + e.getMessage(), e);
            }
        }
        return new PreprocessingOptions(channels, height, width, sizeSource, numbers(o, "mean", where), numbers(o, "std", where), f,
                number(o, "crop_pct", where));
    }

    private static Double number(JsonObject o, String key, String where) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException(where + ": " + key + " is " + e + ", expected a number");
        }
        return e.getAsDouble();
    }

    private static String string(JsonObject o, String key, String where) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(where + ": " + key + " is " + e + ", expected a string");
        }
        return e.getAsString();
    }

    private static List<Double> numbers(JsonObject o, String key, String where) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        List<Double> out = new ArrayList<>();
        if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                    out = null;
                    break;
                }
                out.add(x.getAsDouble());
            }
        }
        if (out == null || !e.isJsonArray()) {
            throw new IllegalArgumentException(where + ": " + key + " is " + e + ", expected a list of numbers");
        }
        return out;
    }
}
