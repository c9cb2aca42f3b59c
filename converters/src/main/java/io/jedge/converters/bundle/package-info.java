/** Writing bundles: variant files, their digests and the manifest, from converted models. */
package io.jedge.converters.bundle;
