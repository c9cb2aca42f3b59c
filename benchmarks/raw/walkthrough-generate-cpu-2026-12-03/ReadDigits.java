import io.jedge.sdk.TensorFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The digits fixture's reader on generated PNGs: the red channel back to [-1,1] (the decoder range), 8x8 average pool of the
 * 64x64 image, (x + 1) * 8, logistic regression classifier.npy [10, 65] (TrainedDigitsGenerationTest.classify on pixels).
 * Args: classifier.npy, then EXPECTED=FILE.png pairs; prints the class read and the tally.
 */
public class ReadDigits {
    public static void main(String[] a) throws Exception {
        float[] clf = TensorFiles.readNpy(Path.of(a[0])).floats();
        int ok = 0;
        for (int i = 1; i < a.length; i++) {
            String[] kv = a[i].split("=", 2);
            BufferedImage im = ImageIO.read(Path.of(kv[1]).toFile());
            double[] f = new double[64];
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    double v = ((im.getRGB(x, y) >> 16) & 0xff) / 255.0 * 2 - 1;
                    f[(y / 8) * 8 + x / 8] += v / 64;
                }
            }
            int best = -1;
            double bs = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 10; k++) {
                double s = clf[k * 65 + 64];
                for (int j = 0; j < 64; j++) {
                    s += clf[k * 65 + j] * (f[j] + 1) * 8;
                }
                if (s > bs) {
                    bs = s;
                    best = k;
                }
            }
            ok += String.valueOf(best).equals(kv[0]) ? 1 : 0;
            System.out.println(kv[1] + ": expected " + kv[0] + ", read " + best);
        }
        System.out.println("read as their class: " + ok + "/" + (a.length - 1));
    }
}
