package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The TensorRT ABI guard. jedge compiles against the JavaCPP presets of TensorRT 10.6
 * ({@code org.bytedeco:tensorrt:10.6-1.5.11}) but runs on JetPack 6, whose TensorRT is 10.3. The
 * linux-arm64 JNI wrapper links only symbols that 10.3 has, and from 10.3 to 10.6 the API classes
 * gained virtual methods only at the end of their tables; so the 10.6 classes work on 10.3 as long
 * as jedge calls nothing that 10.3 lacks. This test reads the bytecode of every jedge main class
 * (sdk, jetson-runtime, converters, cli) and fails on a call to a TensorRT method newer than 10.3,
 * or on any TensorRT method not yet checked against the 10.3 headers.
 */
class TensorRtAbiTest {
    /** Added between TensorRT 10.3 and 10.6: never call them. */
    static final Set<String> NEWER_THAN_10_3 = Set.of(
            "nvinfer.IBuilderConfig.setMaxNbTactics", "nvinfer.IBuilderConfig.getMaxNbTactics",
            "nvinfer.IBuilder.buildEngineWithConfig");

    /**
     * Every TensorRT method jedge calls, each checked present in the TensorRT 10.3 headers (NvInfer.h,
     * NvInferRuntime.h, NvInferRuntimeBase.h, NvOnnxParser.h). A new call fails the test until it is
     * checked there and added here.
     */
    static final Set<String> CHECKED_IN_10_3 = Set.of(
            // global functions: createInfer{Builder,Runtime} wrap createInfer*_INTERNAL; the parser's are in libnvonnxparser
            "global.nvinfer.createInferBuilder", "global.nvinfer.createInferRuntime", "global.nvinfer.getInferLibVersion",
            "global.nvonnxparser.createParser", "global.nvonnxparser.getNvOnnxParserVersion",
            // builder side (NvInfer.h)
            "nvinfer.IBuilder.buildSerializedNetwork", "nvinfer.IBuilder.createBuilderConfig", "nvinfer.IBuilder.createNetworkV2",
            "nvinfer.IBuilder.createOptimizationProfile",
            "nvinfer.IBuilderConfig.addOptimizationProfile", "nvinfer.IBuilderConfig.clearFlag",
            "nvinfer.IBuilderConfig.createTimingCache", "nvinfer.IBuilderConfig.getTimingCache",
            "nvinfer.IBuilderConfig.setBuilderOptimizationLevel", "nvinfer.IBuilderConfig.setFlag",
            "nvinfer.IBuilderConfig.setMemoryPoolLimit", "nvinfer.IBuilderConfig.setTimingCache",
            "nvinfer.IBuilderConfig.setProfilingVerbosity",
            "nvinfer.INetworkDefinition.getInput", "nvinfer.INetworkDefinition.getNbInputs", "nvinfer.INetworkDefinition.getNbLayers",
            "nvinfer.INetworkDefinition.getNbOutputs", "nvinfer.INetworkDefinition.getOutput",
            "nvinfer.IOptimizationProfile.setDimensions", "nvinfer.ITensor.getDimensions", "nvinfer.ITensor.getName",
            "nvinfer.ITensor.getType", "nvinfer.ITimingCache.serialize", "nvinfer.IHostMemory.data", "nvinfer.IHostMemory.size",
            "nvinfer.Dims64.d", "nvinfer.Dims64.nbDims",
            // ONNX parser (NvOnnxParser.h; IParserError::nodeName/nodeOperator are in 10.3)
            "nvonnxparser.IParser.getError", "nvonnxparser.IParser.getNbErrors", "nvonnxparser.IParser.parseFromFile",
            "nvonnxparser.IParserError.code", "nvonnxparser.IParserError.desc", "nvonnxparser.IParserError.node",
            "nvonnxparser.IParserError.nodeName", "nvonnxparser.IParserError.nodeOperator",
            // runtime side (NvInferRuntime.h; the *V2 device-memory calls arrived in 10.1)
            "nvinfer.IRuntime.deserializeCudaEngine", "nvinfer.ICudaEngine.createExecutionContext",
            "nvinfer.ICudaEngine.getDeviceMemorySizeV2", "nvinfer.ICudaEngine.getIOTensorName", "nvinfer.ICudaEngine.getNbIOTensors",
            "nvinfer.ICudaEngine.getProfileShape", "nvinfer.ICudaEngine.getTensorDataType", "nvinfer.ICudaEngine.getTensorIOMode",
            "nvinfer.ICudaEngine.getTensorShape", "nvinfer.ICudaEngine.isShapeInferenceIO",
            "nvinfer.ICudaEngine.createEngineInspector", "nvinfer.IEngineInspector.getEngineInformation",
            "nvinfer.IExecutionContext.enqueueV3", "nvinfer.IExecutionContext.getTensorShape",
            "nvinfer.IExecutionContext.setDeviceMemoryV2", "nvinfer.IExecutionContext.setInputShape",
            "nvinfer.IExecutionContext.setTensorAddress");

    @Test
    void jedgeCallsNoTensorRtMethodNewerThan10_3() throws Exception {
        TreeMap<String, Set<String>> calls = tensorRtCalls();
        assertTrue(calls.keySet().stream().anyMatch(c -> c.startsWith("nvinfer.IBuilder")),
                "the scan must see the engine builder's TensorRT calls; found " + calls.keySet());
        List<String> problems = new ArrayList<>();
        calls.forEach((method, callers) -> {
            if (NEWER_THAN_10_3.contains(method)) {
                problems.add(method + " is newer than TensorRT 10.3 (JetPack 6 lacks it), called from " + callers);
            } else if (!CHECKED_IN_10_3.contains(method)) {
                problems.add(method + " is not checked against the TensorRT 10.3 headers yet, called from " + callers
                        + ": check NvInfer*.h of 10.3 and add it to CHECKED_IN_10_3, or do not call it");
            }
        });
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    @Test
    void theScanFindsACallToANewerMethod() throws Exception {
        // A class that calls IBuilderConfig.setMaxNbTactics must be reported.
        TreeMap<String, Set<String>> calls = new TreeMap<>();
        try (InputStream in = TensorRtAbiTest.class.getResourceAsStream("TensorRtAbiTest$CallsNewerApi.class")) {
            scanClass(in, "CallsNewerApi", calls);
        }
        assertEquals(Set.of("nvinfer.IBuilderConfig.setMaxNbTactics"), calls.keySet());
    }

    /** Calls a 10.6-only method; only compiled, never run. */
    static final class CallsNewerApi {
        static void tooNew(org.bytedeco.tensorrt.nvinfer.IBuilderConfig c) {
            c.setMaxNbTactics(1);
        }
    }

    /** TensorRT method references ({@code nvinfer.IBuilder.createNetworkV2}) in jedge's main classes, with their callers. */
    static TreeMap<String, Set<String>> tensorRtCalls() throws IOException, URISyntaxException {
        TreeMap<String, Set<String>> calls = new TreeMap<>();
        for (Class<?> anchor : List.of(io.jedge.sdk.Jedge.class, io.jedge.runtime.backend.trt.TrtBackend.class,
                io.jedge.converters.convert.Converter.class, io.jedge.cli.JedgeCli.class)) {
            Path where = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.walk(where)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                        try (InputStream in = Files.newInputStream(f)) {
                            scanClass(in, where.relativize(f).toString(), calls);
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    for (var e : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                        try (InputStream in = jar.getInputStream(e)) {
                            scanClass(in, e.getName(), calls);
                        }
                    }
                }
            }
        }
        return calls;
    }

    /**
     * Whether a reference reaches TensorRT: JavaCPP's enums and the methods every Pointer has
     * ({@code isNull}, {@code close}, {@code deallocate}) are plain Java.
     */
    static boolean callsTensorRt(String owner, String method) {
        try {
            Class<?> c = Class.forName(owner.replace('/', '.'), false, TensorRtAbiTest.class.getClassLoader());
            if (c.isEnum()) {
                return false;
            }
            for (Class<?> k = c; k != null; k = k.getSuperclass()) {
                for (var m : k.getDeclaredMethods()) {
                    if (m.getName().equals(method)) {
                        return k.getName().startsWith("org.bytedeco.tensorrt.");
                    }
                }
            }
            return true;
        } catch (ClassNotFoundException e) {
            return true;
        }
    }

    /** Reads a class file's constant pool and records its Methodref/InterfaceMethodref entries into TensorRT. */
    static void scanClass(InputStream raw, String name, TreeMap<String, Set<String>> calls) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException(name + ": not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int n = in.readUnsignedShort();
        String[] utf8 = new String[n];
        int[] classNameIndex = new int[n];
        int[][] memberRef = new int[n][];
        int[] nameAndTypeName = new int[n];
        for (int i = 1; i < n; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 10, 11 -> memberRef[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> {
                    nameAndTypeName[i] = in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                case 9, 3, 4, 18, 17 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException(name + ": constant pool tag " + tag + " at " + i + ", expected a known tag");
            }
        }
        for (int i = 1; i < n; i++) {
            if (memberRef[i] == null) {
                continue;
            }
            String owner = utf8[classNameIndex[memberRef[i][0]]];
            String method = utf8[nameAndTypeName[memberRef[i][1]]];
            if (owner.startsWith("org/bytedeco/tensorrt/") && !method.equals("<init>") && callsTensorRt(owner, method)) {
                String key = owner.substring("org/bytedeco/tensorrt/".length()).replace('/', '.') + "." + method;
                calls.computeIfAbsent(key, k -> new TreeSet<>()).add(name.replace(".class", ""));
            }
        }
    }
}
