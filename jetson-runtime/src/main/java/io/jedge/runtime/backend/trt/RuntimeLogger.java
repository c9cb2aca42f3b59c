package io.jedge.runtime.backend.trt;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorRT's log, routed to SLF4J. Errors reported during a synchronous call (deserialize,
 * setInputShape, enqueueV3) are also captured for the calling thread, so that an exception can
 * say what TensorRT said. Lives as long as the process: TensorRT keeps a pointer to it.
 */
final class RuntimeLogger extends ILogger {
    private static final Logger LOG = LoggerFactory.getLogger("io.jedge.runtime.backend.trt.TensorRT");
    private static final int MAX_CAPTURED = 8;
    private final ThreadLocal<List<String>> captured = ThreadLocal.withInitial(ArrayList::new);

    @Override
    public void log(Severity severity, String msg) {
        severity = severity.intern(); // JavaCPP hands callbacks fresh enum objects
        switch (severity) {
            case kINTERNAL_ERROR, kERROR -> {
                LOG.error("{}", msg);
                List<String> c = captured.get();
                if (c.size() < MAX_CAPTURED) {
                    c.add(msg);
                }
            }
            case kWARNING -> LOG.warn("{}", msg);
            case kINFO -> LOG.debug("{}", msg);
            default -> LOG.trace("{}", msg);
        }
    }

    /** Clears this thread's captured errors. */
    void begin() {
        captured.get().clear();
    }

    /** This thread's errors since {@link #begin()}, joined; empty when none. */
    String errors() {
        return String.join("; ", captured.get());
    }
}
