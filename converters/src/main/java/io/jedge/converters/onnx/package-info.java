/**
 * ONNX model IO and graph editing: {@link io.jedge.converters.onnx.OnnxModel} reads and writes the
 * protobuf (external data included) and exposes intermediate tensors as outputs,
 * {@link io.jedge.converters.onnx.Graph} is the mutable graph every pass edits,
 * {@link io.jedge.converters.onnx.GraphBuilder} emits nodes with fresh names, and
 * {@link io.jedge.converters.onnx.Shapes} is the one shape and type inference (propagation over the
 * graph, ONNX Runtime's inference with the propagation as fallback).
 */
package io.jedge.converters.onnx;
