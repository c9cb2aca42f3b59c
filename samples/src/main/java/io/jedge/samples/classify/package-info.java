/** The image-classification sample app, written against the sdk API only. */
package io.jedge.samples.classify;
