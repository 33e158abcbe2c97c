/**
 * The search language: MLflow's filter and order_by syntax parsed into a small tree ({@link
 * io.runlake.search.Filter}), checked against a {@link io.runlake.search.SearchSchema}, and compiled
 * to Spark columns ({@link io.runlake.search.RunPredicates}). User text is never pasted into SQL.
 */
package io.runlake.search;
