/**
 * The API an on-device app codes against: load a bundle, get a predictor for a task, run it
 * synchronously or asynchronously, read which variant runs and why. Nothing here exposes a
 * backend, JSON or native type.
 */
package io.jedge.sdk;
