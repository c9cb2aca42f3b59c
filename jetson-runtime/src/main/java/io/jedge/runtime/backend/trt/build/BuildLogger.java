package io.jedge.runtime.backend.trt.build;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorRT's build log, routed to SLF4J, with the ERROR lines of the current build collected so
 * the failure can say what TensorRT said. TensorRT may log from its own threads during a build,
 * so collection is not per thread; builds are serialised by {@link NativeBuild}.
 */
final class BuildLogger extends ILogger {
    private static final Logger LOG = LoggerFactory.getLogger("io.jedge.runtime.backend.trt.build.TensorRT");
    private static final int MAX_KEPT = 20;
    private final List<String> errors = new ArrayList<>();
    private int warnings;

    @Override
    public void log(Severity severity, String msg) {
        severity = severity.intern(); // JavaCPP hands callbacks fresh enum objects
        switch (severity) {
            case kINTERNAL_ERROR, kERROR -> {
                LOG.error("{}", msg);
                synchronized (this) {
                    if (errors.size() < MAX_KEPT) {
                        errors.add(msg.trim());
                    }
                }
            }
            case kWARNING -> {
                LOG.warn("{}", msg);
                synchronized (this) {
                    warnings++;
                }
            }
            case kINFO -> LOG.info("{}", msg);
            default -> LOG.debug("{}", msg);
        }
    }

    synchronized void begin() {
        errors.clear();
        warnings = 0;
    }

    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    synchronized int warnings() {
        return warnings;
    }
}
