package io.runlake.plugin;

import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * The plugin's settings, all under {@code spark.runlake.}:
 *
 * <ul>
 *   <li>{@code store}, {@code database}: where runs go (default {@code ./runlake-data}, {@code runlake});
 *   <li>{@code experiment}: the experiment of the application's runs (default: the Default experiment);
 *   <li>{@code autolog}: what to record, a comma list of {@code app}, {@code mllib}, {@code lineage}, or
 *       {@code all} (default) or {@code none};
 *   <li>{@code autolog.logModels}: log fitted models (default true);
 *   <li>{@code autolog.registeredModelName}: register logged models under this name;
 *   <li>{@code autolog.agent}: {@code attach} (default) instruments MLlib by attaching runlake's agent;
 *       {@code off} leaves it to {@code -javaagent} (without either, MLlib fits are not autologged).
 * </ul>
 */
public record AutologConfig(
    String store,
    String database,
    String experiment,
    boolean app,
    boolean mllib,
    boolean lineage,
    boolean logModels,
    String registeredModelName,
    boolean attachAgent,
    boolean injectFailure) {

  /** Conf keys whose values must never be logged: their names say they hold credentials. */
  static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|token|credential|access\\.?key).*");

  public static AutologConfig from(SparkConf conf) {
    String what = conf.get("spark.runlake.autolog", "all").toLowerCase(Locale.ROOT);
    boolean all = what.contains("all");
    boolean none = what.equals("none");
    return new AutologConfig(
        conf.get("spark.runlake.store", null),
        conf.get("spark.runlake.database", "runlake"),
        conf.get("spark.runlake.experiment", null),
        !none && (all || what.contains("app")),
        !none && (all || what.contains("mllib")),
        !none && (all || what.contains("lineage")),
        conf.getBoolean("spark.runlake.autolog.logModels", true),
        conf.get("spark.runlake.autolog.registeredModelName", null),
        !conf.get("spark.runlake.autolog.agent", "attach").equalsIgnoreCase("off"),
        conf.getBoolean("spark.runlake.autolog.test.injectFailure", false));
  }

  /**
   * Everything on, as the plugin's defaults: for switching autologging on inside an application with
   * {@link Autolog#start}. {@code experiment} null means the Default experiment.
   */
  public static AutologConfig of(String store, String database, String experiment) {
    return new AutologConfig(store, database, experiment, true, true, true, true, null, true, false);
  }

  /** This configuration without the application run: fits are top-level runs, or children of the active run. */
  public AutologConfig withoutApplicationRun() {
    return new AutologConfig(
        store, database, experiment, false, mllib, lineage, logModels, registeredModelName, attachAgent, injectFailure);
  }

  /** Whether a setting named {@code key} holds a credential, and so is never logged. */
  public static boolean isSecret(String key) {
    return SECRET.matcher(key).matches();
  }
}
