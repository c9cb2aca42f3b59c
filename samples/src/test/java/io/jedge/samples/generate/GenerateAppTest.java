package io.jedge.samples.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.samples.SampleBundles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GenerateAppTest {
    @TempDir
    Path tmp;

    private String run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = new CommandLine(new GenerateApp(new PrintStream(buf, true, StandardCharsets.UTF_8))).execute(args);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        return out;
    }

    @Test
    void generatesSeededPngsReproducibly() throws Exception {
        int latent = 8;
        Path bundle = SampleBundles.tinyGenerator(tmp, latent);
        Path a = tmp.resolve("a");
        String out = run(bundle.toString(), "-o", a.toString(), "--class", "3", "--images", "2", "--steps", "4", "--seed", "5",
                "--elfatt-steps", "0.5");
        Path first = a.resolve("class3-seed5.png");
        Path second = a.resolve("class3-seed6.png");
        for (Path p : new Path[] {first, second}) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertEquals(8 * latent, img.getWidth(), p.toString());
            assertEquals(8 * latent, img.getHeight(), p.toString());
        }
        assertTrue(out.contains("image 1 step 1/4 elfatt-sd") && out.contains("image 1 step 3/4 vanilla"), out);
        assertTrue(out.contains("2 ELFATT-SD + 2 vanilla steps"), out);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(first), Files.readAllBytes(second)), "different seeds differ");

        Path b = tmp.resolve("b");
        run(bundle.toString(), "-o", b.toString(), "--class", "3", "--images", "1", "--steps", "4", "--seed", "5", "--elfatt-steps", "0.5");
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(b.resolve("class3-seed5.png")), "same seed, same bytes");

        String uncond = run(bundle.toString(), "-o", tmp.resolve("c").toString(), "--steps", "2", "--seed", "9", "--scheduler", "ddim");
        assertTrue(Files.exists(tmp.resolve("c").resolve("uncond-seed9.png")), uncond);
    }
}
