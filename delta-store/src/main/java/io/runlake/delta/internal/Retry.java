package io.runlake.delta.internal;

import io.runlake.errors.RunlakeException;
import io.runlake.tracking.internal.TrackingErrors;
import java.util.ConcurrentModificationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded retry of a Delta commit that lost a race.
 *
 * <p>Delta reports a lost optimistic-concurrency race as a {@link ConcurrentModificationException}
 * (its {@code ConcurrentAppendException}, {@code ConcurrentDeleteReadException}, ...). On this hardware a
 * commit takes about 200 ms and two concurrent MERGEs on one table conflict about half the time, so a
 * writer retries up to {@link #MAX_ATTEMPTS} times with jittered exponential backoff from 50 ms, capped
 * at 2 s: at most about 12 s in total before giving up with INTERNAL_ERROR. Every operation retried
 * here must be idempotent (it re-reads what it depends on at each attempt).
 */
final class Retry {
  static final int MAX_ATTEMPTS = 10;
  private static final long FIRST_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 2000;
  private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

  private Retry() {}

  /**
   * Runs {@code action} until it does not lose a race. A {@link RunlakeException} (a user error
   * found while re-reading) is thrown at once.
   */
  static <T> T onConflict(String what, Supplier<T> action) {
    ConcurrentModificationException last = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        return action.get();
      } catch (ConcurrentModificationException e) {
        last = e;
        LOG.debug("Conflict while {} (attempt {}): {}", what, attempt, e.getMessage());
        sleep(backoff(attempt));
      } catch (RunlakeException e) {
        throw e;
      } catch (RuntimeException e) {
        ConcurrentModificationException cme = conflictCause(e);
        if (cme == null) {
          throw TrackingErrors.internal(what, e);
        }
        last = cme;
        sleep(backoff(attempt));
      }
    }
    throw TrackingErrors.internal(
        what + " (still conflicting with concurrent writers after " + MAX_ATTEMPTS + " attempts)",
        last);
  }

  /**
   * Runs an action that is safe to repeat whatever happened to the previous attempt (an idempotent
   * Delta append), retrying any failure, not only conflicts: a failed attempt may or may not have
   * committed, and repeating it is how that unknown state is resolved.
   */
  static <T> T idempotent(String what, Supplier<T> action) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        return action.get();
      } catch (RunlakeException e) {
        throw e;
      } catch (RuntimeException e) {
        last = e;
        LOG.warn("Attempt {} of {} failed: {}", attempt, what, e.toString());
        sleep(backoff(attempt));
      }
    }
    throw TrackingErrors.internal(what + " (failed " + MAX_ATTEMPTS + " times)", last);
  }

  static long backoff(int attempt) {
    long cap = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(attempt - 1, 10));
    return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
  }

  static ConcurrentModificationException conflictCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConcurrentModificationException cme) {
        return cme;
      }
    }
    return null;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting to retry a Delta commit", e);
    }
  }
}
