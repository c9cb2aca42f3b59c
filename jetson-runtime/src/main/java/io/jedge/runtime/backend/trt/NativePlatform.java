package io.jedge.runtime.backend.trt;

import static org.bytedeco.cuda.global.cudart.cudaDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.tensorrt.global.nvinfer.getInferLibVersion;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.PointerScope;

/** Reads {@link TrtPlatform} from CUDA and TensorRT. Callers have checked availability. */
final class NativePlatform {
    private NativePlatform() {
    }

    static TrtPlatform query(int device) {
        try (PointerScope scope = new PointerScope()) {
            Cuda.check(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
            int[] v = new int[1];
            Cuda.check(cudaRuntimeGetVersion(v), "cudaRuntimeGetVersion");
            String runtime = TrtPlatform.cudaVersion(v[0]);
            Cuda.check(cudaDriverGetVersion(v), "cudaDriverGetVersion");
            String driver = TrtPlatform.cudaVersion(v[0]);
            cudaDeviceProp prop = new cudaDeviceProp(); // owned by the scope; read everything before it closes
            Cuda.check(cudaGetDeviceProperties(prop, device), "cudaGetDeviceProperties(" + device + ")");
            return new TrtPlatform(TrtPlatform.tensorRtVersion(getInferLibVersion()), prop.name().getString().trim(),
                    prop.major() + "." + prop.minor(), runtime, driver, prop.integrated() != 0, prop.totalGlobalMem(), device);
        }
    }
}
