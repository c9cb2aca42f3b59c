/** Conversion of an ONNX model into a bundle of variants: the library behind {@code jedge convert}. */
package io.jedge.converters.convert;
