package io.jedge.converters.convert;

import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Report;
import java.util.Map;

/** One attention form of a model being converted (the original, or a rewrite with its fidelity report). */
record AttentionForm(AttentionKind kind, OnnxModel model, Report fidelity, Map<String, String> attributes) {
}
