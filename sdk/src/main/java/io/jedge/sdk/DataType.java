package io.jedge.sdk;

/** Element types that cross the SDK boundary. Half precision stays inside backends. */
public enum DataType {
    FLOAT32,
    INT64;
}
