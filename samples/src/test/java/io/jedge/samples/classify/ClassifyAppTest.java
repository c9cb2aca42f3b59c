package io.jedge.samples.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.samples.SampleBundles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClassifyAppTest {
    @TempDir
    Path tmp;

    @Test
    void classifiesAFolderThroughTheSdk() throws Exception {
        Path bundle = SampleBundles.tinyClassifier(tmp);
        Path images = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < 5; i++) {
            BufferedImage img = new BufferedImage(80, 60, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 60; y++) {
                for (int x = 0; x < 80; x++) {
                    img.setRGB(x, y, ((x * i) & 0xff) << 16 | ((y * 3) & 0xff) << 8 | (i * 40));
                }
            }
            ImageIO.write(img, i % 2 == 0 ? "png" : "jpg", images.resolve("img" + i + (i % 2 == 0 ? ".png" : ".jpg")).toFile());
        }
        Files.writeString(images.resolve("notes.txt"), "not an image");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = new CommandLine(new ClassifyApp(new PrintStream(buf, true))).execute(bundle.toString(), images.toString(), "--top", "3");
        String out = buf.toString();
        assertEquals(0, code, out);
        assertTrue(out.contains("5 images classified"), out);
        assertTrue(out.contains("variant: fp32-") && out.contains(" on ort-cpu"), "prints the runtime's choice: " + out);
        long percentLines = out.lines().filter(l -> l.trim().matches("[0-9.]+%  \\w+")).count();
        assertEquals(15, percentLines, "top-3 with labels for 5 images: " + out);
    }
}
