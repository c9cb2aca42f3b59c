package io.jedge.runtime.backend.trt;

import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;

import org.bytedeco.javacpp.Loader;

/** The native part of the availability probe; only touched inside its try/catch. */
final class NativeLoad {
    private NativeLoad() {
    }

    static TrtAvailability.Result loadAndCountDevices() {
        Loader.load(org.bytedeco.cuda.global.cudart.class);
        Loader.load(org.bytedeco.tensorrt.global.nvinfer.class);
        int[] count = new int[1];
        int err = cudaGetDeviceCount(count);
        if (err != 0) {
            return new TrtAvailability.Result(TrtAvailability.classifyCudaError(err),
                    "cudaGetDeviceCount: CUDA error " + err + ", " + cudaGetErrorString(err).getString());
        }
        if (count[0] == 0) {
            return new TrtAvailability.Result(TrtAvailability.Missing.NO_GPU, "cudaGetDeviceCount: 0 devices");
        }
        return TrtAvailability.Result.OK;
    }
}
