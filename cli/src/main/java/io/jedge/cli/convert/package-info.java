/**
 * The converter commands (convert, inspect, build-model with its diffusion builders, compare,
 * quickstart) and the TensorRT proof tool: the part of the CLI that needs the converters library,
 * which a device install leaves out.
 */
package io.jedge.cli.convert;
