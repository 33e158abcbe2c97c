package io.runlake.models;

import org.apache.spark.sql.types.DataType;

/** One column of a model signature: its name, its Spark type, and whether a value is required. */
public record ColumnSpec(String name, DataType type, boolean required) {}
