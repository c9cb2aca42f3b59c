package io.jedge.converters.convert;

import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Report;
import java.util.Map;

/**
 * One attention variant of a model being converted: the original, or a rewrite with its fidelity
 * report. Not {@link io.jedge.converters.attention.AttentionForm}, which is how one attention layer is emitted.
 */
record AttentionVariant(AttentionKind kind, OnnxModel model, Report fidelity, Map<String, String> attributes) {
}
