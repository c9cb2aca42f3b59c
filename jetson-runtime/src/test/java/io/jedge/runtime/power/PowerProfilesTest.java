package io.jedge.runtime.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jedge.runtime.device.FakeRoots;
import io.jedge.runtime.device.JetsonModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class PowerProfilesTest {

    @ParameterizedTest
    @EnumSource(JetsonModule.class)
    void everyModuleWithAProfileIdHasAValidShippedProfile(JetsonModule module) {
        if (module.profileId().isEmpty()) {
            assertTrue(PowerProfiles.forModule(module).isEmpty());
            return;
        }
        PowerProfile p = PowerProfiles.forModule(module).orElseThrow();
        assertEquals(module.profileId().get(), p.id());
        assertEquals(module.soc().orElseThrow(), p.soc());
        assertFalse(p.modes().isEmpty());
    }

    @Test
    void orinNano8gbListsBothConfsWithSuperFlags() {
        PowerProfile p = PowerProfiles.load("orin-nano-8gb");
        assertTrue(p.hasSuperConf());
        ProfileMode nonSuper15 = p.mode("15W", false).orElseThrow();
        ProfileMode super15 = p.mode("15W", true).orElseThrow();
        assertEquals(624.75, nonSuper15.gpuMaxMHz().orElseThrow(), 1e-9);
        assertEquals(612.0, super15.gpuMaxMHz().orElseThrow(), 1e-9);
        assertTrue(p.mode("MAXN_SUPER", false).isEmpty());
        ProfileMode maxnSuper = p.mode("maxn_super", true).orElseThrow();
        assertTrue(maxnSuper.budgetW().isEmpty());
        assertTrue(maxnSuper.isUncapped("gpu"));
        assertEquals("25W", p.modes(true).stream().filter(ProfileMode::isDefault).findFirst().orElseThrow().name());
        ProfileMode sevenW = p.mode("7W", true).orElseThrow();
        assertTrue(sevenW.gpuMaxMHz().isEmpty() && !sevenW.isUncapped("gpu"), "unknown caps stay unknown");
    }

    @Test
    void orinNx16gbCarriesDlaCaps() {
        PowerProfile p = PowerProfiles.load("orin-nx-16gb");
        ProfileMode m = p.mode("10W", false).orElseThrow();
        assertEquals(2, m.dlaCores());
        assertEquals(java.util.List.of(153.6, 115.0), m.dlaMaxMHz());
        assertEquals(40.0, p.mode("40W", true).orElseThrow().budgetW().orElseThrow(), 1e-9);
    }

    @Test
    void superConfIsMatchedFromConfModeNames() {
        PowerProfile p = PowerProfiles.load("orin-nano-8gb");
        assertTrue(p.matchSuperConf(java.util.List.of("15W", "25W", "MAXN_SUPER", "7W"), false));
        assertFalse(p.matchSuperConf(java.util.List.of("15W", "7W"), true), "a subset of the super names, but exactly the non-super set");
        assertTrue(p.matchSuperConf(java.util.List.of(), true), "no names: the device tree decides");
        assertFalse(PowerProfiles.load("agx-orin-64gb").matchSuperConf(java.util.List.of("MAXN"), true));
    }

    /** The shipped profiles agree with the fake confs, which follow the same tables. */
    @ParameterizedTest
    @ValueSource(strings = {"jetson-nano", "orin-nano-8gb", "orin-nano-8gb-super", "orin-nx-16gb", "agx-orin-64gb"})
    void profilesAgreeWithTheFakeConfs(String tree) throws IOException {
        io.jedge.runtime.device.DeviceInfo info = new io.jedge.runtime.device.DeviceDetector(FakeRoots.env(tree)).detect();
        PowerProfile p = PowerProfiles.forModule(info.module()).orElseThrow();
        NvpModelConf conf = NvpModelConf.parse(Files.readString(FakeRoots.path(tree).resolve("etc/nvpmodel.conf")), null);
        boolean sup = p.matchSuperConf(conf.modes().stream().map(NvpMode::name).toList(), info.superVariant());
        assertEquals(info.superVariant(), sup);
        assertEquals(conf.modes().size(), p.modes(sup).size());
        for (NvpMode m : conf.modes()) {
            ProfileMode pm = p.mode(m.name(), sup).orElseThrow(() -> new AssertionError(tree + ": no profile mode " + m.name()));
            assertEquals(m.id(), pm.id(), m.name());
            assertEquals(conf.defaultId().orElseThrow() == m.id(), pm.isDefault(), m.name());
            if (m.onlineCores().isPresent()) {
                assertEquals(m.onlineCores().getAsInt(), pm.onlineCores().orElseThrow(), m.name());
            }
            if (m.gpuMaxMHz().isPresent()) {
                assertEquals(m.gpuMaxMHz().getAsDouble(), pm.gpuMaxMHz().orElseThrow(), 1e-6, m.name());
            }
            if (m.cpuMaxMHz().isPresent()) {
                assertEquals(m.cpuMaxMHz().getAsDouble(), pm.cpuMaxMHz().orElseThrow(), 1e-6, m.name());
            }
        }
    }

    @Test
    void loadsFromAPath(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("custom.json");
        Files.writeString(f, valid().toString());
        assertEquals("jetson-nano", PowerProfiles.load(f).id());
    }

    @Test
    void rejectsUnknownSchemaVersion() {
        PowerProfileException e = invalid(o -> o.addProperty("schemaVersion", 2));
        assertTrue(e.getMessage().contains("'schemaVersion' is 2, expected 1"), e.getMessage());
    }

    @Test
    void missingFieldNamesFileAndField() {
        PowerProfileException e = invalid(o -> o.getAsJsonArray("modes").get(1).getAsJsonObject().remove("gpuMaxMHz"));
        assertEquals("test.json", e.file());
        assertEquals("test.json: missing field 'modes[1] (5W).gpuMaxMHz'", e.getMessage());
    }

    @Test
    void rejectsWrongTypesAndInconsistentModes() {
        assertTrue(invalid(o -> o.addProperty("module", "JETSON_TX2")).getMessage().contains("field 'module' is 'JETSON_TX2'"));
        assertTrue(invalid(o -> mode(o, 0).addProperty("budgetW", "ten")).getMessage().contains("'modes[0] (MAXN).budgetW' is the string \"ten\", expected a positive number or null"));
        assertTrue(invalid(o -> mode(o, 1).addProperty("default", true)).getMessage().contains("have 2 with 'default': true"));
        assertTrue(invalid(o -> mode(o, 1).addProperty("name", "maxn")).getMessage().contains("appears twice"));
        assertTrue(invalid(o -> {
            JsonArray dla = new JsonArray();
            dla.add(100);
            mode(o, 0).add("dlaMaxMHz", dla);
        }).getMessage().contains("1 entries, expected 0"));
        assertTrue(invalid(o -> {
            JsonArray u = new JsonArray();
            u.add("vic");
            mode(o, 0).add("uncapped", u);
        }).getMessage().contains("one of cpu, gpu, emc, dla"));
        assertTrue(invalid(o -> o.addProperty("id", "orin-nx-8gb")).getMessage().contains("uses profile 'jetson-nano'"));
        assertThrows(PowerProfileException.class, () -> PowerProfiles.parse("{not json", "bad.json"));
        PowerProfileException missing = assertThrows(PowerProfileException.class, () -> PowerProfiles.load("no-such-module"));
        assertTrue(missing.getMessage().contains("io/jedge/runtime/power/profiles/no-such-module.json"), missing.getMessage());
        assertEquals(io.jedge.sdk.JedgeException.Code.INVALID_INPUT, missing.code());
        assertThrows(IllegalArgumentException.class, () -> PowerProfiles.load("../etc/passwd"));
    }

    private static JsonObject mode(JsonObject o, int i) {
        return o.getAsJsonArray("modes").get(i).getAsJsonObject();
    }

    private static PowerProfileException invalid(Consumer<JsonObject> edit) {
        JsonObject o = valid();
        edit.accept(o);
        return assertThrows(PowerProfileException.class, () -> PowerProfiles.parse(o.toString(), "test.json"));
    }

    private static JsonObject valid() {
        try (var in = PowerProfilesTest.class.getClassLoader().getResourceAsStream(PowerProfiles.RESOURCE_DIR + "jetson-nano.json")) {
            return JsonParser.parseString(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anOversizedProfileIsRefusedBeforeItIsRead(@TempDir Path tmp) throws IOException {
        Path huge = tmp.resolve("huge.json");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse
        }
        PowerProfileException e = assertThrows(PowerProfileException.class, () -> PowerProfiles.load(huge));
        assertTrue(e.getMessage().endsWith("huge.json: 3221225472 bytes, expected a power profile of at most 1 MiB"), e.getMessage());
        assertEquals(io.jedge.sdk.JedgeException.Code.INVALID_INPUT, e.code());
    }
}
