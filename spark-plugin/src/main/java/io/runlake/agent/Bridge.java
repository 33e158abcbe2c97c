package io.runlake.agent;

import java.util.function.BiFunction;

/**
 * The one class the instrumented MLlib and Spark methods call. It is injected into the bootstrap class
 * loader before anything uses it, so the advice inlined into classes of any loader resolves to this
 * one copy, and it refers only to JDK types, so no loader constraint ties it to runlake's own classes.
 * runlake's recorder plugs in as {@link #handler} (set reflectively on the bootstrap copy).
 *
 * <p>A call never throws, and a call made while the handler runs on the same thread (the recorder
 * itself using Spark) is ignored.
 */
public final class Bridge {
  public static volatile BiFunction<String, Object[], Object> handler;
  private static final ThreadLocal<Boolean> BUSY = new ThreadLocal<>();

  private Bridge() {}

  public static Object call(String event, Object[] args) {
    BiFunction<String, Object[], Object> h = handler;
    if (h == null || Boolean.TRUE.equals(BUSY.get())) {
      return null;
    }
    BUSY.set(Boolean.TRUE);
    try {
      return h.apply(event, args);
    } catch (Throwable t) {
      return null;
    } finally {
      BUSY.set(Boolean.FALSE);
    }
  }
}
