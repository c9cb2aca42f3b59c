package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jedge.converters.convert.ConversionOptions;
import io.jedge.converters.convert.Converter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Bad input end to end through {@link JedgeCli}: one line and a hint, exit 2 for the user's
 * mistakes, checked before any long work, and nothing from a file or name reaches the terminal raw.
 */
class BadInputCliTest {
    @TempDir
    Path tmp;

    Path bundle;
    Path f32;

    record Result(int code, String out, String err) {
        /** The error line, after asserting it is the whole error output with its hint. */
        String line() {
            List<String> lines = err.lines().toList();
            assertEquals(2, lines.size(), "one error line and one hint: " + err);
            assertTrue(lines.get(1).startsWith("  hint: "), err);
            assertFalse(err.contains("\tat ") || err.contains("this is a bug"), "no stack trace, no bug hint: " + err);
            return lines.get(0);
        }
    }

    static Result jedge(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = JedgeCli.execute(cl, args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result jedge(String... args) {
        return jedge(JedgeCli.commandLine(), args);
    }

    @BeforeEach
    void tinyClassifier() throws Exception {
        Path model = tmp.resolve("m.onnx");
        TamperedBundleTest.classifier("pixels", 4, 32, 10).save(model);
        bundle = new Converter(l -> { }).convert(model, tmp.resolve("b"), ConversionOptions.builder()
                .labels(IntStream.range(0, 10).mapToObj(i -> "class-" + i).toList()).build()).dir();
        ByteBuffer b = ByteBuffer.allocate(3 * 32 * 32 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 3 * 32 * 32; i++) {
            b.putFloat((float) Math.sin(i));
        }
        f32 = Files.write(tmp.resolve("x.f32"), b.array());
    }

    @Test
    void helpWorksOnEverySubcommandAndTheHintNamesTheWholeCommand() {
        Result help = jedge("build-model", "dit", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().startsWith("Usage: jedge build-model dit") && help.out().contains("--latent"), help.out());
        Result convertHelp = jedge("convert", "--help");
        assertEquals(0, convertHelp.code(), convertHelp.err());
        assertTrue(convertHelp.out().contains("--precision"), convertHelp.out());
        Result version = jedge("convert", "--version");
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().startsWith("jedge "), "the subcommand prints jedge's version: " + version.out());

        Result missing = jedge("build-model", "dit");
        assertEquals(2, missing.code());
        assertTrue(missing.line().startsWith("jedge build-model dit: error: Missing required option"), missing.err());
        assertEquals("  hint: see 'jedge build-model dit --help'", missing.err().lines().toList().get(1));
    }

    @Test
    void aLabelTheModelCannotOutputIsRefusedBeforeAnyVariantRuns() throws Exception {
        Path y = Files.writeString(tmp.resolve("y.txt"), "12\n");
        Result r = jedge("eval", bundle.toString(), "--inputs", f32.toString(), "--labels", y.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("jedge eval: error: --labels " + y + ": label 1 is class 12, expected 0 to 9 (the model has 10 classes)", r.line());
        assertFalse(r.out().contains("fp32-vanilla"), "no variant ran: " + r.out());
    }

    @Test
    void aMissingInputFileIsNamedWithExit2() {
        Path missing = tmp.resolve("f32/nope.f32");
        Result r = jedge("run", bundle.toString(), "--input", missing.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("jedge run: error: --input " + missing + ": no such file (.npy, .f32 or a PNG/JPEG image)", r.line());
        assertEquals("", r.out(), "refused before the bundle was loaded");

        Result folder = jedge("run", bundle.toString(), "--input", tmp.toString());
        assertEquals(2, folder.code());
        assertTrue(folder.line().contains("--input " + tmp + ": is a folder"), folder.err());

        Result eval = jedge("eval", bundle.toString(), "--inputs", missing.toString(), "--labels", missing.toString());
        assertEquals(2, eval.code(), eval.err());
        assertTrue(eval.line().endsWith("--inputs " + missing + ": no such file (.npy or .f32 samples)"), eval.err());
    }

    @Test
    void anUnknownVariantListsTheBundlesVariants() {
        Result r = jedge("run", bundle.toString(), "--input", f32.toString(), "--variant", "nope");
        assertEquals(2, r.code(), r.err());
        assertEquals("jedge run: error: variant 'nope' is not in bundle 'm'; its variants are fp32-vanilla", r.line());
        assertFalse(r.err().contains("jedge device"), "a typo is not a device problem: " + r.err());

        Result ok = jedge("run", bundle.toString(), "--input", f32.toString(), "--variant", "fp32-vanilla");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("class-"), "labels printed: " + ok.out());
    }

    @Test
    void outputsAreCheckedBeforeAnyWork() throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "not a folder");
        Result run = jedge("run", bundle.toString(), "--input", f32.toString(), "--output", file.resolve("out.npy").toString());
        assertEquals(2, run.code(), run.err());
        assertEquals("jedge run: error: --output " + file.resolve("out.npy") + ": cannot be written (" + file
                + " is a file, not a folder)", run.line());
        assertEquals("", run.out(), "refused before the model ran");

        // the bundle does not exist: the output is what is refused, so it was checked first
        Result gen = jedge("generate", tmp.resolve("no-bundle").toString(), "--class", "1", "-o", file.resolve("x.png").toString());
        assertEquals(2, gen.code(), gen.err());
        assertTrue(gen.line().contains("--output " + file.resolve("x.png") + ": cannot be written"), gen.err());

        // the model does not exist either: -o is refused before it is read
        Result convert = jedge("convert", tmp.resolve("no-model.onnx").toString(), "-o", file.resolve("b").toString());
        assertEquals(2, convert.code(), convert.err());
        assertTrue(convert.line().contains(file + " is a file, not a folder"), convert.err());

        Result build = jedge("build-model", "vit", "--preset", "micro", "-o", file.resolve("vit.onnx").toString());
        assertEquals(2, build.code(), build.err());
        assertTrue(build.line().contains("--output " + file.resolve("vit.onnx") + ": cannot be written"), build.err());
        assertEquals("not a folder", Files.readString(file));
    }

    @Test
    void labelsThatCannotNameTheClassesAreRefusedBeforeConverting() throws Exception {
        Path model = tmp.resolve("m.onnx");
        Path labels = Files.writeString(tmp.resolve("labels.txt"), "cat\ndog\u001b[2J\n");
        Result evil = jedge("convert", model.toString(), "-o", tmp.resolve("l1").toString(), "--labels", labels.toString());
        assertEquals(2, evil.code(), evil.err());
        assertTrue(evil.line().contains("line 2 'dog\\u001b[2J' holds control characters"), evil.err());

        Files.writeString(labels, "cat\ndog\n");
        Result few = jedge("convert", model.toString(), "-o", tmp.resolve("l2").toString(), "--labels", labels.toString());
        assertEquals(2, few.code(), few.err());
        assertTrue(few.line().endsWith("--labels: 2 labels, but output 'logits' [-1, 10] has 10 classes (one label per class, in class order)"),
                few.err());
        assertFalse(Files.exists(tmp.resolve("l2")));
    }

    @Test
    void controlCharactersNeverReachStandardOutput() throws Exception {
        Path odd = tmp.resolve("out\u001b[31mred.npy");
        Result r = jedge("run", bundle.toString(), "--input", f32.toString(), "--output", odd.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(odd), "the file keeps its name");
        assertTrue(r.out().contains("out\\u001b[31mred.npy"), r.out());
        assertTrue(r.out().chars().noneMatch(c -> c == 0x1b), r.out());

        // a captured device tree whose model string carries an escape sequence and a bell
        Path root = tmp.resolve("root");
        Path fake = Path.of("../jetson-runtime/src/test/resources/fake-roots/orin-nano-8gb");
        try (Stream<Path> s = Files.walk(fake)) {
            for (Path p : s.toList()) {
                Path to = root.resolve(fake.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        Files.writeString(root.resolve("proc/device-tree/model"), "NVIDIA Jetson \u001b]0;pwned\u0007Orin Nano\0");
        Result device = jedge("device", "--root", root.toString());
        assertEquals(0, device.code(), device.err());
        assertTrue(device.out().chars().noneMatch(c -> c == 0x1b || c == 0x07), device.out());
        assertTrue(device.out().contains("\\u001b]0;pwned\\u0007Orin Nano"), "shown escaped: " + device.out());
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "bench B --seconds NaN|Invalid value for option '--seconds': 'NaN' is not a finite number",
        "bench B --seconds Infinity|Invalid value for option '--seconds': 'Infinity' is not a finite number",
        "generate B --class 1 --guidance NaN -o x.png|Invalid value for option '--guidance': 'NaN' is not a finite number",
        "select B --min-fidelity -Infinity|Invalid value for option '--min-fidelity': '-Infinity' is not a finite number",
        "convert m.onnx -o o --min-cosine NaN|Invalid value for option '--min-cosine': 'NaN' is not a finite number",
        "convert m.onnx -o o --mean 0.5,NaN,0.5|'NaN' is not a finite number",
        "quickstart --seconds -1|--seconds -1.0, expected a number of seconds in (0, 3600]",
        "quickstart -o o --threads 5000|--threads 5000, expected 0 (all cores) to",
        "bench B --variants fp32-vanilla,nope --seconds 0.01|variant 'nope' is not in bundle 'm'; its variants are fp32-vanilla",
        "bench B --variants nope --batcher 2|variant 'nope' is not in bundle 'm'; its variants are fp32-vanilla",
    })
    void numberOptionsRefuseNonFiniteAndOutOfRangeValues(String command, String expected) {
        String[] args = command.replace("B", bundle.toString()).replace(" o ", " " + tmp.resolve("o") + " ")
                .replace("x.png", tmp.resolve("x.png").toString()).split(" ");
        Result r = jedge(args);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.line().contains(expected), r.err());
        assertFalse(Files.exists(tmp.resolve("o")) || Files.exists(tmp.resolve("x.png")));
    }

    @CommandLine.Command(name = "gone")
    static final class Gone implements Callable<Integer> {
        @CommandLine.Parameters
        String path;

        @Override
        public Integer call() throws Exception {
            throw new java.nio.file.NoSuchFileException(path);
        }
    }

    @Test
    void aFileThatVanishesMidWayIsTheUsersToFixNotABug() {
        CommandLine cl = JedgeCli.commandLine();
        cl.addSubcommand(new Gone());
        Result r = jedge(cl, "gone", "f32/nope.f32");
        assertEquals(2, r.code(), r.err());
        assertEquals("jedge gone: error: f32/nope.f32: no such file", r.line());
    }

    @Test
    void benchChecksItCanRecordBeforeMeasuring() throws Exception {
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root writes anywhere: a read-only bundle cannot be made here");
        java.nio.file.attribute.PosixFileAttributeView v = Files.getFileAttributeView(bundle, java.nio.file.attribute.PosixFileAttributeView.class);
        var before = v.readAttributes().permissions();
        v.setPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Result r = jedge("bench", bundle.toString(), "--batch", "1", "--seconds", "30");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.line().contains("(bench records its figures in it; --no-record measures without recording): cannot be written"),
                    r.err());
            assertEquals("", r.out(), "nothing was measured");
        } finally {
            v.setPermissions(before);
        }
    }

    @CommandLine.Command(name = "oom")
    static final class OutOfMemory implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void runningOutOfMemoryIsOneLineWithWhatToDo() {
        CommandLine cl = JedgeCli.commandLine();
        cl.addSubcommand(new OutOfMemory());
        Result r = jedge(cl, "oom");
        assertEquals(1, r.code(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(2, lines.size(), r.err());
        assertTrue(lines.get(0).matches("jedge oom: error: out of memory \\(Java heap space; the Java heap is at most \\d+ MiB\\)"),
                r.err());
        assertTrue(lines.get(1).contains("JEDGE_JAVA_OPTS=-Xmx"), r.err());
    }
}
