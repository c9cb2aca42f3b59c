package io.jedge.runtime.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandRunnerTest {

    @Test
    void captureKeyIsAFileName() {
        assertEquals("nvpmodel_-q", CommandRunner.captureKey(List.of("nvpmodel", "-q")));
        assertEquals("dpkg-query_--showformat=__Version__--show_nvidia-l4t-core",
                CommandRunner.captureKey(List.of("dpkg-query", "--showformat=${Version}", "--show", "nvidia-l4t-core")));
    }

    @Test
    void capturedRunnerReplaysOutputAndExitStatus(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("nvpmodel_-q.out"), "NV Power Mode: 15W\n0\n");
        Files.writeString(dir.resolve("nvpmodel_-m_1.out"), "NVPM ERROR: optMask is 1, no request for power mode\n");
        Files.writeString(dir.resolve("nvpmodel_-m_1.rc"), "255\n");
        CommandRunner r = CommandRunner.captured(dir);
        CommandResult q = r.run(List.of("nvpmodel", "-q"));
        assertTrue(q.succeeded());
        assertEquals("NV Power Mode: 15W\n0\n", q.stdout());
        assertEquals(255, r.run(List.of("nvpmodel", "-m", "1")).exitCode());
        assertThrows(IOException.class, () -> r.run(List.of("tegrastats")));
    }

    @Test
    void systemRunnerCapturesStdoutAndStopsLongCommands() throws IOException {
        CommandRunner r = CommandRunner.system(Duration.ofMillis(300));
        CommandResult echo = r.run(List.of("sh", "-c", "echo hello; exit 3"));
        assertEquals(3, echo.exitCode());
        assertEquals("hello\n", echo.stdout());
        CommandResult slow = r.run(List.of("sh", "-c", "echo started; exec sleep 30"));
        assertEquals(CommandResult.TIMED_OUT, slow.exitCode());
        assertTrue(slow.stdout().startsWith("started"), slow.stdout());
        assertThrows(IOException.class, () -> r.run(List.of("/nonexistent/jedge-no-such-program")));
    }

    @Test
    void environmentNotesCommandsThatCannotStart() {
        HostAccess env = HostAccess.builder().root(Path.of("/nonexistent")).commandRunner(CommandRunner.none()).build();
        List<String> notes = new java.util.ArrayList<>();
        assertTrue(env.run(List.of("nvpmodel", "-q"), notes).isEmpty());
        assertEquals(1, notes.size());
        assertTrue(notes.get(0).contains("nvpmodel -q"), notes.get(0));
    }
}
