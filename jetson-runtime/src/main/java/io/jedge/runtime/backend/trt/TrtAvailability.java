package io.jedge.runtime.backend.trt;

import io.jedge.sdk.JedgeException;
import java.util.Locale;

/**
 * Whether TensorRT can run in this process, found by loading it once (lazily) and turned into one
 * line that names what is missing and how to get it. The load is process-wide: a failed JavaCPP
 * class initialisation cannot be retried, so the first answer is cached.
 */
final class TrtAvailability {
    /** What stopped TensorRT from loading. */
    enum Missing {
        CLASSES_JAR, JNI_WRAPPERS, LIBNVINFER, CUDA_RUNTIME, CUDA_LIBRARIES, CUDA_DRIVER, NO_GPU, OTHER
    }

    /** The outcome of a probe: {@code missing} is null when TensorRT is usable. */
    record Result(Missing missing, String detail) {
        static final Result OK = new Result(null, "");

        boolean available() {
            return missing == null;
        }
    }

    static final String PRESET_VERSIONS = "org.bytedeco:tensorrt:10.6-1.5.11, cuda:12.6-9.5-1.5.11, javacpp:1.5.11";
    static final String JETSON_LINKPATH = "/usr/lib/aarch64-linux-gnu:/usr/local/cuda/lib64";

    private static volatile Result processWide;

    private TrtAvailability() {
    }

    /** The cached process-wide probe (loads TensorRT and CUDA on the first call). */
    static Result processWide() {
        Result r = processWide;
        if (r == null) {
            synchronized (TrtAvailability.class) {
                r = processWide;
                if (r == null) {
                    r = probe();
                    processWide = r;
                }
            }
        }
        return r;
    }

    /** Throws {@code BACKEND_UNAVAILABLE} ("cannot WHAT: reason") unless TensorRT loaded. */
    static void require(String what) {
        Result r = processWide();
        if (!r.available()) {
            throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "cannot " + what + ": " + reason(r, isJetson()));
        }
    }

    static Result probe() {
        ClassLoader cl = TrtAvailability.class.getClassLoader();
        for (String c : new String[] {"org.bytedeco.javacpp.Loader", "org.bytedeco.cuda.global.cudart",
                "org.bytedeco.tensorrt.global.nvinfer"}) {
            try {
                Class.forName(c, false, cl); // presence only; initialising would load natives
            } catch (Throwable t) {
                return new Result(Missing.CLASSES_JAR, "class " + c + " not found");
            }
        }
        try {
            return NativeLoad.loadAndCountDevices();
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError...
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root && !(root instanceof UnsatisfiedLinkError)) {
                root = root.getCause();
            }
            String msg = root.getMessage() == null ? root.toString() : root.getMessage();
            return new Result(classify(root, msg), msg);
        }
    }

    /** Maps a load failure to what is missing. Order matters: "jninvinfer" also contains "nvinfer". */
    static Missing classify(Throwable t, String message) {
        boolean classMissing = t instanceof ClassNotFoundException
                || (t instanceof NoClassDefFoundError && (message == null || !message.contains("Could not initialize")));
        if (classMissing) {
            return Missing.CLASSES_JAR;
        }
        String m = message == null ? "" : message;
        if (m.contains("libcuda.so")) {
            return Missing.CUDA_DRIVER;
        }
        if (m.contains("libnvinfer") || m.contains("libnvonnxparser")) {
            return Missing.LIBNVINFER;
        }
        if (m.contains("libcudart")) {
            return Missing.CUDA_RUNTIME;
        }
        if (m.contains("libcublas") || m.contains("libcudnn") || m.contains("libnvrtc")) {
            return Missing.CUDA_LIBRARIES;
        }
        if (m.contains("no jni") || m.contains("jnicudart") || m.contains("jninvinfer") || m.contains("jnicublas")) {
            return Missing.JNI_WRAPPERS;
        }
        return Missing.OTHER;
    }

    /** Maps a failing {@code cudaGetDeviceCount} status. */
    static Missing classifyCudaError(int error) {
        return switch (error) {
            case 34, 35 -> Missing.CUDA_DRIVER;  // cudaErrorStubLibrary, cudaErrorInsufficientDriver
            case 100 -> Missing.NO_GPU;          // cudaErrorNoDevice
            default -> Missing.OTHER;
        };
    }

    static boolean isJetson() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return arch.equals("aarch64") || arch.equals("arm64");
    }

    /** One line: what is missing, what was seen, how to get it. */
    static String reason(Result r, boolean jetson) {
        String hint = jetson
                ? "on Jetson install JetPack 6's TensorRT (apt install nvidia-tensorrt) and use the jedge-<version>-linux-aarch64-tensorrt "
                        + "distribution, or run with the org.bytedeco tensorrt/cuda linux-arm64 jars and "
                        + "-Dorg.bytedeco.javacpp.platform.linkpath=" + JETSON_LINKPATH
                : "on x86-64 follow the GPU recipe (shared/gpu/README.md) or build with the Maven profile `tensorrt`";
        String seen = oneLine(r.detail());
        String what = switch (r.missing()) {
            case CLASSES_JAR -> "the TensorRT classes jar is not on the class path (" + PRESET_VERSIONS + ")";
            case JNI_WRAPPERS -> "the JavaCPP native wrappers for TensorRT/CUDA (jninvinfer, jnicudart) for "
                    + javacppPlatform() + " are not on the class path";
            case LIBNVINFER -> "the TensorRT library libnvinfer.so.10 was not found";
            case CUDA_RUNTIME -> "the CUDA 12 runtime libcudart.so.12 was not found";
            case CUDA_LIBRARIES -> "CUDA libraries the presets link (libcublas.so.12, libcudnn.so.9, libnvrtc.so.12) were not found";
            case CUDA_DRIVER -> "the NVIDIA driver (libcuda.so.1) is missing or too old for CUDA 12.6";
            case NO_GPU -> "no CUDA GPU is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES)";
            case OTHER -> "TensorRT could not be loaded";
        };
        String fix = switch (r.missing()) {
            case CUDA_DRIVER -> "install the NVIDIA driver (on Jetson it comes with JetPack); " + hint;
            case NO_GPU -> "run on a machine with an NVIDIA GPU";
            default -> hint;
        };
        return "TensorRT unavailable: " + what + (seen.isEmpty() ? "" : " (" + seen + ")") + "; " + fix;
    }

    /** JavaCPP's platform name, e.g. {@code linux-x86_64}, {@code linux-arm64}. */
    static String javacppPlatform() {
        String os = System.getProperty("os.name", "?").toLowerCase(Locale.ROOT).replaceAll("\\s.*", "");
        String arch = System.getProperty("os.arch", "?").toLowerCase(Locale.ROOT);
        arch = switch (arch) {
            case "amd64", "x86-64" -> "x86_64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
        return os + "-" + arch;
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.replaceAll("[\\r\\n]+", " ").replaceAll("\\s+", " ").trim();
        return line.length() > 200 ? line.substring(0, 197) + "..." : line;
    }
}
