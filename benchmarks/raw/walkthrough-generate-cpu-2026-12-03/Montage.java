import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;
/** Side-by-side montage, each image scaled x4: args OUT.png IN.png... */
public class Montage {
    public static void main(String[] a) throws Exception {
        int n = a.length - 1, s = 256;
        BufferedImage m = new BufferedImage(s * n, s, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < n; i++) {
            m.getGraphics().drawImage(ImageIO.read(new File(a[i + 1])).getScaledInstance(s, s, Image.SCALE_FAST), i * s, 0, null);
        }
        ImageIO.write(m, "png", new File(a[0]));
    }
}
