package io.jedge.sdk.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every manifest field is validated at load, in one line naming the field and the value: absurd
 * sizes, dims and batch ranges, non-finite numbers, and strings that would reach a terminal.
 */
class ManifestValidationTest {
    @TempDir
    Path dir;

    private JsonObject good;

    @BeforeEach
    void writeGoodBundle() throws Exception {
        GoodBundle.write(dir, List.of("cat", "dog", "fox"), List.of());
        good = JsonParser.parseString(Files.readString(dir.resolve("bundle.json"))).getAsJsonObject();
    }

    /** Sets the value at a path like {@code inputs.0.shape.2} to {@code json} (raw JSON text, read leniently as jedge does). */
    private String loadWith(String path, String json) throws Exception {
        JsonObject root = good.deepCopy();
        String[] parts = path.split("\\.");
        JsonElement at = root;
        for (int i = 0; i < parts.length - 1; i++) {
            at = at.isJsonArray() ? at.getAsJsonArray().get(Integer.parseInt(parts[i])) : at.getAsJsonObject().get(parts[i]);
        }
        String last = parts[parts.length - 1];
        JsonElement value = json.equals("<none>") ? null : JsonParser.parseString(json);
        if (at.isJsonArray()) {
            at.getAsJsonArray().set(Integer.parseInt(last), value);
        } else if (value == null) {
            at.getAsJsonObject().remove(last);
        } else {
            at.getAsJsonObject().add(last, value);
        }
        // NaN and Infinity are not JSON, but a hand-edited file may hold them: write them as bare words
        String text = root.toString().replace("\"__NaN__\"", "NaN").replace("\"__Inf__\"", "Infinity");
        Files.writeString(dir.resolve("bundle.json"), text);
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(dir), path + " = " + json);
        assertTrue(e.getMessage().startsWith(dir.resolve("bundle.json").toAbsolutePath().normalize() + ": "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        assertTrue(e.getMessage().codePoints().noneMatch(Character::isISOControl), "no control character: " + e.getMessage());
        return e.getMessage();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "inputs.0.shape.2|1e30|field 'inputs[0].shape[2]': found 1e30, expected -1 (dynamic) or an integer from 1 to 2147483647",
        "inputs.0.shape.2|2.5|field 'inputs[0].shape[2]': found 2.5, expected -1 (dynamic)",
        "inputs.0.shape.1|-3|field 'inputs[0].shape[1]': found -3, expected -1 (dynamic)",
        "inputs.0.shape.1|0|field 'inputs[0].shape[1]': found 0, expected -1 (dynamic)",
        "outputs.0.shape.1|4294967296|field 'outputs[0].shape[1]': found 4294967296, expected -1 (dynamic)",
        "inputs.0.dataType|`\"float 32\"`|field 'inputs[0].dataType': found 'float 32', expected an ONNX element type",
        "preprocessing.height|-7|field 'preprocessing.height': found -7, expected 1 to 16384",
        "preprocessing.width|0|field 'preprocessing.width': found 0, expected 1 to 16384",
        "preprocessing.height|1000000|field 'preprocessing.height': found 1000000, expected 1 to 16384",
        "preprocessing.height|224.5|field 'preprocessing.height': found 224.5, expected an integer",
        "preprocessing.mean|[0.5]|field 'preprocessing.mean': found 1 values [0.5], expected 3 (one per channel)",
        "preprocessing.std.1|-0.224|field 'preprocessing.std[1]': found -0.224, expected a finite number above 0",
        "preprocessing.std.1|0|field 'preprocessing.std[1]': found 0.0, expected a finite number above 0",
        "preprocessing.std.1|`\"__NaN__\"`|field 'preprocessing.std[1]': found \"NaN\", expected a finite number",
        "preprocessing.mean.0|`\"__Inf__\"`|field 'preprocessing.mean[0]': found \"Infinity\", expected a finite number",
        "variants.0.batchMax|100000|field 'variants[0].batchMin/batchOpt/batchMax': found 1/8/100000, expected 1 <= min <= opt <= max <= 4096",
        "variants.0.batchMin|0|field 'variants[0].batchMin/batchOpt/batchMax': found 0/8/32",
        "variants.0.batchOpt|1e30|field 'variants[0].batchOpt': found 1.0E30, expected an integer",
        "variants.0.id|`\"fp32 vanilla;rm\"`|field 'variants[0].id': found 'fp32 vanilla;rm', expected 1 to 128 letters, digits",
        "variants.0.id|`\"\"`|field 'variants[0].id': found '', expected 1 to 128 letters",
        "variants.0.sha256|`\"abc\"`|field 'variants[0].sha256': found 'abc', expected 64 hex digits",
        "variants.0.sizeBytes|-1|field 'variants[0].sizeBytes': found -1, expected a size in bytes >= 0",
        "variants.0.figures.0.batch|0|field 'variants[0].figures[0].batch': found 0, expected 1 to 4096",
        "variants.0.figures.0.latencyP50Ms|-1|field 'variants[0].figures[0].latencyP50Ms': found -1.0, expected a number >= 0",
        "variants.0.figures.0.throughputPerSec|`\"__Inf__\"`|field 'variants[0].figures[0].throughputPerSec': found \"Infinity\", expected a finite number",
        "labels|`[\"cat\"]`|field 'labels': 1 labels, but output 'logits' [-1, 3] has 3 classes",
        "schemaVersion|<none>|field 'schemaVersion' is missing",
    })
    void absurdFieldsAreRefusedWithTheirField(String path, String json, String expected) throws Exception {
        String message = loadWith(path, json);
        assertTrue(message.contains(expected), message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "name|field 'name': found 'vit\\u001b[31mred', expected text without control characters",
        "labels.1|field 'labels[1]': found 'vit\\u001b[31mred'",
        "inputs.0.name|field 'inputs[0].name': found 'vit\\u001b[31mred'",
        "variants.0.id|field 'variants[0].id': found 'vit\\u001b[31mred'",
        "variants.0.figures.0.device|field 'variants[0].figures[0].device': found 'vit\\u001b[31mred'",
        "variants.0.attributes.tokens|field 'variants[0].attributes.tokens': found 'vit\\u001b[31mred'",
        "createdBy|field 'createdBy': found 'vit\\u001b[31mred'",
    })
    void stringsWithEscapeSequencesAreRefusedAndShownEscaped(String path, String expected) throws Exception {
        String message = loadWith(path, new JsonPrimitive("vit\u001b[31mred").toString());
        assertTrue(message.contains(expected), message);
        String newline = loadWith(path, new JsonPrimitive("cat\nforged line").toString());
        assertTrue(newline.contains("'cat\\u000aforged line'"), newline);
    }

    @Test
    void controlCharactersInAttributeKeysAreRefused() throws Exception {
        JsonObject attrs = new JsonObject();
        attrs.addProperty("k\u009bey", "v");
        String message = loadWith("variants.0.attributes", attrs.toString());
        assertTrue(message.contains("found 'k\\u009bey', expected text without control characters"), message);
    }

    @Test
    void aManifestThatCannotLoadIsNeverWritten() throws Exception {
        BundleManifest m = Bundle.load(dir).manifest();
        BundleManifest badLabels = new BundleManifest(m.schemaVersion(), m.name(), m.task(), m.inputs(), m.outputs(), m.preprocessing(),
                List.of("cat", "dog\u001b[2J", "fox"), m.pipeline(), m.variants(), m.reports(), m.createdBy(), m.createdAt());
        byte[] before = Files.readAllBytes(dir.resolve("bundle.json"));
        BundleException e = assertThrows(BundleException.class, () -> Bundle.write(dir, badLabels));
        assertTrue(e.getMessage().contains("field 'labels[1]': found 'dog\\u001b[2J'"), e.getMessage());
        BundleManifest fewLabels = new BundleManifest(m.schemaVersion(), m.name(), m.task(), m.inputs(), m.outputs(), m.preprocessing(),
                List.of("cat", "dog"), m.pipeline(), m.variants(), m.reports(), m.createdBy(), m.createdAt());
        e = assertThrows(BundleException.class, () -> Bundle.write(dir, fewLabels));
        assertTrue(e.getMessage().contains("field 'labels': 2 labels, but output 'logits' [-1, 3] has 3 classes"), e.getMessage());
        Variant v = m.variants().get(0);
        BundleManifest badId = m.withVariant(new Variant("../../evil", v.role(), v.file(), v.format(), v.precision(), v.attention(),
                v.batchMin(), v.batchOpt(), v.batchMax(), v.sha256(), v.sizeBytes(), v.builtFor(), v.attributes(), v.figures()));
        e = assertThrows(BundleException.class, () -> Bundle.write(dir, badId));
        assertTrue(e.getMessage().contains("field 'variants[1].id': found '../../evil'"), e.getMessage());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("bundle.json"))), "bundle.json untouched");
        Bundle.load(dir);
    }

    @Test
    void runningOutOfMemoryOrStackIsNotCalledInvalidJson() {
        Path file = dir.resolve("bundle.json");
        String oom = ManifestJson.parseFailure(file, new JsonParseException("Failed parsing JSON source", new OutOfMemoryError("Java heap space")))
                .getMessage();
        assertTrue(oom.contains("is too large to read in this Java heap") && oom.contains("-Xmx") && !oom.contains("not valid JSON"), oom);
        String deep = ManifestJson.parseFailure(file, new JsonParseException("Failed parsing JSON source", new StackOverflowError()))
                .getMessage();
        assertTrue(deep.contains("nests arrays or objects too deeply") && !deep.contains("not valid JSON"), deep);
        String syntax = ManifestJson.parseFailure(file, new JsonParseException("Expected ':' at line 2")).getMessage();
        assertTrue(syntax.endsWith("not valid JSON (Expected ':' at line 2)"), syntax);
    }

    @Test
    void deeplyNestedJsonIsOneLineNotAStackOverflow() throws Exception {
        Files.writeString(dir.resolve("bundle.json"), "[".repeat(200_000) + "]".repeat(200_000));
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(dir));
        assertTrue(e.getMessage().contains("nests arrays or objects too deeply") || e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void theGoodManifestLoads() throws Exception {
        assertEquals(List.of("cat", "dog", "fox"), Bundle.load(dir).manifest().labels());
    }
}
