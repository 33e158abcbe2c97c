package io.runlake.delta.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Run ids that sort by creation time: 12 hex digits of the creation millisecond, then 20 random hex
 * digits (80 bits), 32 in all like MLflow's hex uuid4. Runs created together get neighbouring ids, so
 * the state table's files, written a refresh at a time, each hold a narrow range of ids, and reading
 * a few runs by id (the candidates of the key index) skips the other files.
 */
final class RunIds {
  private RunIds() {}

  static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return String.format(
        "%012x%05x%015x",
        System.currentTimeMillis() & 0xFFFF_FFFF_FFFFL, random.nextInt(1 << 20), random.nextLong() >>> 4);
  }
}
