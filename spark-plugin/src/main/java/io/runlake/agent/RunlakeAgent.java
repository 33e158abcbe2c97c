package io.runlake.agent;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * runlake's Java agent: weaves {@link Advices} into {@code Estimator.fit}, {@code Evaluator.evaluate},
 * {@code Model.transform} and {@code SparkContext.stop}, the JVM counterpart of MLflow's Python
 * patching. Installed at JVM start ({@code -javaagent:runlake.jar}, {@link #premain}) or, from the
 * runlake Spark plugin, by attaching to the running JVM ({@link #install()}).
 */
public final class RunlakeAgent {
  private static final Logger LOG = LoggerFactory.getLogger(RunlakeAgent.class);
  private static final String BRIDGE = "io.runlake.agent.Bridge";
  private static volatile Instrumentation installed;

  private RunlakeAgent() {}

  public static void premain(String args, Instrumentation instrumentation) {
    install(instrumentation);
  }

  public static void agentmain(String args, Instrumentation instrumentation) {
    install(instrumentation);
  }

  /**
   * Attaches to this JVM and installs the instrumentation, once. Returns false, after one clear log
   * line, where the JVM refuses (for example {@code -XX:-EnableDynamicAgentLoading}).
   */
  public static synchronized boolean install() {
    if (installed != null) {
      return true;
    }
    try {
      install(ByteBuddyAgent.install());
      return true;
    } catch (RuntimeException | LinkageError e) {
      LOG.warn(
          "runlake could not attach its agent to this JVM ({}); MLlib fits are not autologged (the"
              + " application's run and lineage still are). Start the driver with"
              + " -javaagent:<runlake-spark.jar> to autolog them.",
          e.toString());
      return false;
    }
  }

  public static boolean isInstalled() {
    return installed != null;
  }

  private static synchronized void install(Instrumentation instrumentation) {
    if (installed != null) {
      return;
    }
    injectBridge(instrumentation);
    new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
        .with(
            new AgentBuilder.Listener.Adapter() {
              @Override
              public void onError(
                  String typeName,
                  ClassLoader classLoader,
                  net.bytebuddy.utility.JavaModule module,
                  boolean loaded,
                  Throwable throwable) {
                LOG.warn("runlake could not instrument {}: {}", typeName, throwable.toString());
              }

              @Override
              public void onTransformation(
                  TypeDescription type,
                  ClassLoader classLoader,
                  net.bytebuddy.utility.JavaModule module,
                  boolean loaded,
                  net.bytebuddy.dynamic.DynamicType dynamicType) {
                LOG.debug("runlake instrumented {}", type.getName());
              }
            })
        .ignore(
            nameStartsWith("java.")
                .or(nameStartsWith("jdk."))
                .or(nameStartsWith("sun."))
                .or(nameStartsWith("com.sun."))
                .or(nameStartsWith("scala."))
                .or(nameStartsWith("net.bytebuddy."))
                .or(nameStartsWith("org.apache.spark.sql."))
                .or(nameStartsWith("org.apache.hadoop."))
                .or(nameStartsWith("io.netty."))
                .or(nameStartsWith("com.fasterxml."))
                .or(nameStartsWith("io.runlake.")))
        .type(subtypeOf("org.apache.spark.ml.Estimator"))
        .transform(
            (builder, type, loader, module, domain) ->
                builder.visit(
                    Advice.to(Advices.Fit.class)
                        .on(
                            named("fit")
                                .and(not(isAbstract()))
                                .and(not(isBridge()))
                                .and(takesArgument(0, named("org.apache.spark.sql.Dataset")))
                                .and(
                                    takesArguments(1)
                                        .or(takesArguments(2)
                                            .and(takesArgument(1, named("org.apache.spark.ml.param.ParamMap"))))))))
        .type(subtypeOf("org.apache.spark.ml.evaluation.Evaluator"))
        .transform(
            (builder, type, loader, module, domain) ->
                builder.visit(
                    Advice.to(Advices.Evaluate.class)
                        .on(named("evaluate").and(not(isAbstract())).and(not(isBridge())).and(takesArguments(1)))))
        .type(subtypeOf("org.apache.spark.ml.Model"))
        .transform(
            (builder, type, loader, module, domain) ->
                builder.visit(
                    Advice.to(Advices.Transform.class)
                        .on(
                            named("transform")
                                .and(not(isAbstract()))
                                .and(not(isBridge()))
                                .and(takesArguments(1))
                                .and(takesArgument(0, named("org.apache.spark.sql.Dataset"))))))
        .type(named("org.apache.spark.SparkContext"))
        .transform(
            (builder, type, loader, module, domain) ->
                builder.visit(Advice.to(Advices.Stop.class).on(named("stop").and(takesArguments(1)))))
        .installOn(instrumentation);
    installed = instrumentation;
  }

  /**
   * Every class of the hierarchy, abstract ones included: {@code Predictor.fit} and
   * {@code PredictionModel.transform}, declared in abstract classes, are what most estimators and models
   * run. Only concrete methods are advised.
   */
  private static ElementMatcher.Junction<TypeDescription> subtypeOf(String name) {
    return hasSuperType(named(name));
  }

  /**
   * Sends an event to the handler through the bootstrap copy of the bridge, as instrumented code does
   * ({@link Bridge#call}: never throws; null when no handler is set or the agent is not installed).
   */
  public static Object call(String event, Object[] args) {
    if (installed == null) {
      return null;
    }
    try {
      return Class.forName(BRIDGE, true, null)
          .getMethod("call", String.class, Object[].class)
          .invoke(null, event, args);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  /** Sets the handler on the bootstrap copy of the bridge. */
  public static void setHandler(BiFunction<String, Object[], Object> handler) {
    try {
      Class<?> bridge = Class.forName(BRIDGE, true, null);
      Field field = bridge.getField("handler");
      field.set(null, handler);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("The runlake agent's bridge is not installed", e);
    }
  }

  /**
   * Appends a jar holding only the bridge to the bootstrap class path, read as bytes from runlake's
   * jar: loading it here first would make a second copy in this class loader.
   */
  private static void injectBridge(Instrumentation instrumentation) {
    try {
      Class.forName(BRIDGE, false, null);
      return;
    } catch (ClassNotFoundException e) {
      // Not there yet: inject it below.
    }
    String resource = BRIDGE.replace('.', '/') + ".class";
    try (InputStream in = RunlakeAgent.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("runlake's jar lacks " + resource);
      }
      Path jar = Files.createTempFile("runlake-bridge", ".jar");
      jar.toFile().deleteOnExit();
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
        out.putNextEntry(new JarEntry(resource));
        in.transferTo(out);
        out.closeEntry();
      }
      instrumentation.appendToBootstrapClassLoaderSearch(new java.util.jar.JarFile(jar.toFile()));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot inject runlake's agent bridge", e);
    }
  }
}
