package io.runlake.tracking.internal;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Generates run names in MLflow's style ({@code bright-owl-417}) for runs created without one. */
public final class RunNames {
  private static final List<String> ADJECTIVES =
      List.of(
          "able", "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "daring", "eager",
          "fair", "fast", "gentle", "glad", "grand", "happy", "honest", "keen", "kind", "lively",
          "lucky", "merry", "mighty", "nimble", "noble", "polite", "proud", "quick", "quiet",
          "rare", "sharp", "shy", "silent", "smooth", "steady", "sunny", "swift", "tidy", "vivid",
          "warm", "wise", "witty", "zesty");
  private static final List<String> NOUNS =
      List.of(
          "ant", "bass", "bear", "bird", "boar", "cat", "colt", "crab", "crane", "deer", "dove",
          "eel", "elk", "finch", "fish", "fox", "frog", "goat", "hare", "hawk", "heron", "horse",
          "jay", "koi", "lark", "lion", "lynx", "mole", "moth", "newt", "owl", "panda", "ram",
          "robin", "seal", "shark", "sloth", "snail", "swan", "toad", "trout", "whale", "wolf",
          "wren", "yak");

  private RunNames() {}

  public static String generate() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return ADJECTIVES.get(r.nextInt(ADJECTIVES.size()))
        + "-"
        + NOUNS.get(r.nextInt(NOUNS.size()))
        + "-"
        + r.nextInt(1000);
  }
}
