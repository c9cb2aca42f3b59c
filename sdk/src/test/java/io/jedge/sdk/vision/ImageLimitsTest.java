package io.jedge.sdk.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Images are sized from their header before any pixel is decoded. */
class ImageLimitsTest {
    @TempDir
    Path tmp;

    /** A PNG signature and IHDR declaring w x h RGB, then an empty IDAT and IEND: a tiny file claiming a huge image. */
    static byte[] pngHeader(int w, int h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(w);
        d.writeInt(h);
        d.write(new byte[] {8, 2, 0, 0, 0});
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IDAT", new byte[0]);
        chunk(out, "IEND", new byte[0]);
        return bytes.toByteArray();
    }

    static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    @Test
    @Timeout(5)
    void hugeDeclaredImageIsRefusedFromItsHeader() throws IOException {
        Path png = tmp.resolve("bomb.png");
        Files.write(png, pngHeader(20000, 20000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImagePreprocessor.read(png));
        assertTrue(e.getMessage().contains("20000x20000") && e.getMessage().contains("bomb.png"), e.getMessage());
    }

    @Test
    void ordinaryImageStillReads() throws IOException {
        Path png = tmp.resolve("ok.png");
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        BufferedImage img = ImagePreprocessor.read(png);
        assertEquals(40, img.getWidth());
        assertEquals(30, img.getHeight());
    }

    @Test
    void notAnImageAndMissingFileSayWhich() throws IOException {
        Path txt = Files.writeString(tmp.resolve("notes.png"), "hello");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImagePreprocessor.read(txt)).getMessage()
                .contains("not a format"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImagePreprocessor.read(tmp.resolve("nope.png")))
                .getMessage().contains("nope.png"));
    }
}
