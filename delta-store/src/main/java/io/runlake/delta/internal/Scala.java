package io.runlake.delta.internal;

import java.util.List;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/** Conversions at the boundary with Delta's Scala API. */
final class Scala {
  private Scala() {}

  static <T> Seq<T> seq(List<T> list) {
    return CollectionConverters.asScala(list).toSeq();
  }

  static <T> List<T> list(scala.collection.Seq<T> seq) {
    return CollectionConverters.asJava(seq);
  }

  static <T> Option<T> none() {
    return Option.empty();
  }
}
