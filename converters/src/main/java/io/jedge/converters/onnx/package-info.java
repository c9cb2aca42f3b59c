/**
 * ONNX model IO and graph editing: {@link io.jedge.converters.onnx.OnnxModel} reads and writes the
 * protobuf (external data included), {@link io.jedge.converters.onnx.Graph} is the mutable graph
 * every pass edits, {@link io.jedge.converters.onnx.GraphBuilder} emits nodes with fresh names.
 */
package io.jedge.converters.onnx;
