package io.jedge.runtime.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.runtime.device.CommandRunner;
import io.jedge.runtime.device.FakeRoots;
import io.jedge.runtime.device.HostAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PowerModeReaderTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "jetson-nano,         1, 5W,         STATUS_FILE",
        "orin-nano-8gb,       0, 15W,        STATUS_FILE",
        "orin-nano-8gb-super, 2, MAXN_SUPER, STATUS_FILE",
        "orin-nx-16gb,        3, 25W,        STATUS_FILE",
        "agx-orin-64gb,       2, MODE_30W,   NVPMODEL_QUERY",
    })
    void readsTheCurrentModeOfEachTree(String tree, int id, String name, CurrentPowerMode.Source source) {
        PowerModeReading r = new PowerModeReader(FakeRoots.env(tree)).read();
        CurrentPowerMode m = r.current().orElseThrow();
        assertEquals(id, m.id());
        assertEquals(name, m.name());
        assertEquals(source, m.source());
        assertEquals(name, m.confMode().orElseThrow().name(), "the conf block is attached");
        assertTrue(r.conf().isPresent());
    }

    @Test
    void missingStatusFileIsNotedBeforeTheQueryFallback() {
        PowerModeReading r = new PowerModeReader(FakeRoots.env("agx-orin-64gb")).read();
        assertTrue(r.notes().contains("/var/lib/nvpmodel/status: missing"), r.notes().toString());
        assertEquals(8, r.current().orElseThrow().confMode().orElseThrow().onlineCores().orElseThrow());
    }

    @Test
    void statusIdNotInConfFallsBackToQueryByName(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("orin-nano-8gb-super", tmp.resolve("r"));
        Files.writeString(root.resolve("var/lib/nvpmodel/status"), "pmode:0009 fmode:quiet\n");
        Files.createDirectories(root.resolve("jedge-commands"));
        // The query's id disagrees with this conf's numbering: the name wins.
        Files.writeString(root.resolve("jedge-commands/nvpmodel_-q.out"), "NVPM WARN: fan mode is not set!\nNV Power Mode: 25W\n7\n");
        PowerModeReading r = new PowerModeReader(HostAccess.ofRoot(root)).read();
        CurrentPowerMode m = r.current().orElseThrow();
        assertEquals("25W", m.name());
        assertEquals(1, m.id());
        assertEquals(CurrentPowerMode.Source.NVPMODEL_QUERY, m.source());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("mode id 9 is not in")), r.notes().toString());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("as id 7")), r.notes().toString());
    }

    @Test
    void unreadableConfAndNoQueryGiveUnknownModeWithNotes() {
        Path root = FakeRoots.path("orin-nx-16gb");
        HostAccess env = HostAccess.builder().root(root)
                .fileAccess(FakeRoots.denying(root, Set.of("/etc/nvpmodel.conf"))).commandRunner(CommandRunner.none()).build();
        PowerModeReading r = new PowerModeReader(env).read();
        assertTrue(r.current().isEmpty());
        assertTrue(r.conf().isEmpty());
        assertTrue(r.notes().contains("/etc/nvpmodel.conf: permission denied"), r.notes().toString());
        assertTrue(r.notes().contains("current power mode unknown"), r.notes().toString());
    }

    @Test
    void malformedStatusIsNoted(@TempDir Path tmp) throws IOException {
        Path root = FakeRoots.copy("jetson-nano", tmp.resolve("r"));
        Files.writeString(root.resolve("var/lib/nvpmodel/status"), "garbage\n");
        PowerModeReading r = new PowerModeReader(HostAccess.builder().root(root).commandRunner(CommandRunner.none()).build()).read();
        assertTrue(r.current().isEmpty());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("expected 'pmode:NNNN")), r.notes().toString());
    }

    @Test
    void parsesQueryOutputVariants() {
        PowerModeReader.NameAndId v = PowerModeReader.parseQuery("""
                NVPM VERB: Config file: /etc/nvpmodel.conf
                NVPM VERB: parsing done for /etc/nvpmodel.conf
                NVPM VERB: Current mode: NV Power Mode: MAXN_SUPER
                2
                NVPM VERB: PARAM CPU_ONLINE: ARG CORE_0: PATH /sys/devices/system/cpu/cpu0/online: REAL_VAL: 1 CONF_VAL: 1
                """).orElseThrow();
        assertEquals("MAXN_SUPER", v.name());
        assertEquals(2, v.id());
        PowerModeReader.NameAndId fan = PowerModeReader.parseQuery("NV Fan Mode:quiet\nNV Power Mode: MODE_15W\nNVPM WARN: x\n1\n").orElseThrow();
        assertEquals(1, fan.id());
        assertNull(PowerModeReader.parseQuery("NV Power Mode: 10W\n").orElseThrow().id());
        assertTrue(PowerModeReader.parseQuery("NVPM ERROR: Error opening /sys/kernel/nvpmodel_emc_cap/emc_iso_cap: 13\n").isEmpty());
    }
}
