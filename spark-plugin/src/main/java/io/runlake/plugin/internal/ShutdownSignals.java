package io.runlake.plugin.internal;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Remembers whether the JVM is being stopped by a signal, so that shutdown hooks can tell a kill
 * (runs end KILLED) from a normal exit (runs end FINISHED). The handlers record the signal and then
 * call the handler that was there before (Spark's, or the JVM's default), so the JVM stops as it would
 * have.
 */
public final class ShutdownSignals {
  private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);
  private static final AtomicBoolean INSTALLED = new AtomicBoolean();
  private static final AtomicReference<String> RECEIVED = new AtomicReference<>();

  private ShutdownSignals() {}

  /** Installs the handlers once per JVM; harmless where signals cannot be handled. */
  public static void install() {
    if (!INSTALLED.compareAndSet(false, true)) {
      return;
    }
    for (String name : new String[] {"TERM", "INT", "HUP"}) {
      try {
        Signal signal = new Signal(name);
        SignalHandler[] previous = new SignalHandler[1];
        previous[0] =
            Signal.handle(
                signal,
                s -> {
                  RECEIVED.compareAndSet(null, "SIG" + s.getName());
                  SignalHandler before = previous[0];
                  if (before == SignalHandler.SIG_DFL) {
                    // The JVM's default handling of TERM/INT/HUP is to exit, running the hooks.
                    Runtime.getRuntime().exit(128 + s.getNumber());
                  } else if (before != SignalHandler.SIG_IGN && before != null) {
                    before.handle(s);
                  }
                });
      } catch (IllegalArgumentException e) {
        // The signal is reserved (-Xrs, or a debugger): the JVM handles it, we cannot observe it.
        LOG.debug("Cannot observe SIG{}: {}", name, e.getMessage());
      }
    }
  }

  /** The signal that is stopping the JVM ({@code SIGTERM}…), if one is. */
  public static Optional<String> received() {
    return Optional.ofNullable(RECEIVED.get());
  }
}
