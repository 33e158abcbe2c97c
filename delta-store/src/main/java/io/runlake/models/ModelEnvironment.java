package io.runlake.models;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The environment files of a model directory: MLflow's Python ones ({@code requirements.txt},
 * {@code python_env.yaml}, {@code conda.yaml}, naming the {@code pyspark} that matches this JVM's
 * Spark, so MLflow tools can rebuild an environment that loads the model), and runlake's
 * {@value #JVM_FILE}: Java, Scala and Spark versions and the Maven coordinates of every jar on the
 * class path, read from the jars' own {@code META-INF/maven} metadata.
 */
public final class ModelEnvironment {
  public static final String JVM_FILE = "jvm_environment.yaml";
  public static final String PYTHON_VERSION = "3.11";
  private static volatile List<String> classPathCoordinates;

  private ModelEnvironment() {}

  public static String requirementsTxt(String sparkVersion) {
    return "mlflow\npyspark==" + sparkVersion + "\n";
  }

  public static String pythonEnvYaml() {
    return "python: " + PYTHON_VERSION + "\n"
        + "build_dependencies:\n- pip\n- setuptools\n- wheel\n"
        + "dependencies:\n- -r requirements.txt\n";
  }

  public static String condaYaml(String sparkVersion) {
    return "channels:\n- conda-forge\n"
        + "dependencies:\n- python=" + PYTHON_VERSION + "\n- pip\n- pip:\n  - mlflow\n  - pyspark=="
        + sparkVersion + "\n"
        + "name: mlflow-env\n";
  }

  /** The JVM environment file's YAML. */
  public static String jvmEnvironmentYaml(String sparkVersion) {
    StringBuilder y = new StringBuilder();
    y.append("java_version: '").append(System.getProperty("java.version")).append("'\n");
    y.append("java_vendor: '").append(System.getProperty("java.vendor")).append("'\n");
    y.append("scala_version: '").append(scala.util.Properties.versionNumberString()).append("'\n");
    y.append("spark_version: '").append(sparkVersion).append("'\n");
    y.append("dependencies:\n");
    for (String c : classPathCoordinates()) {
      y.append("- '").append(c).append("'\n");
    }
    return y.toString();
  }

  /** {@code group:artifact:version} of every jar on the class path that says it (once per JVM). */
  public static List<String> classPathCoordinates() {
    List<String> cached = classPathCoordinates;
    if (cached == null) {
      Set<String> out = new TreeSet<>();
      for (String jar : jars()) {
        readCoordinates(jar, out);
      }
      cached = List.copyOf(out);
      classPathCoordinates = cached;
    }
    return cached;
  }

  /** The class path's jars, following the Class-Path of manifest-only jars (as Surefire uses). */
  private static Set<String> jars() {
    Set<String> jars = new LinkedHashSet<>();
    List<String> pending = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      pending.add(entry);
    }
    while (!pending.isEmpty()) {
      String jar = pending.remove(pending.size() - 1);
      if (!jar.endsWith(".jar") || !jars.add(jar)) {
        continue;
      }
      try (JarFile file = new JarFile(jar)) {
        Manifest manifest = file.getManifest();
        String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        if (classPath != null) {
          File base = new File(jar).getParentFile();
          for (String ref : classPath.trim().split("\\s+")) {
            String path = ref.startsWith("file:") ? java.net.URI.create(ref).getPath() : new File(base, ref).getPath();
            pending.add(path);
          }
        }
      } catch (IOException | IllegalArgumentException e) {
        // Not a readable jar: it has no coordinates to report.
      }
    }
    return jars;
  }

  private static final java.util.regex.Pattern REPOSITORY_LAYOUT =
      java.util.regex.Pattern.compile(".*/repository/(.+)/([^/]+)/([^/]+)/\\2-\\3\\.jar");

  /**
   * Coordinates from the jar's {@code pom.properties}; for jars built without them (sbt builds, like
   * Delta's), from a Maven repository path, else from the manifest's title and version.
   */
  private static void readCoordinates(String jar, Set<String> out) {
    try (JarFile file = new JarFile(jar)) {
      int before = out.size();
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
          Properties p = new Properties();
          try (InputStream in = file.getInputStream(e)) {
            p.load(in);
          }
          if (p.getProperty("groupId") != null) {
            out.add(p.getProperty("groupId") + ":" + p.getProperty("artifactId") + ":" + p.getProperty("version"));
          }
        }
      }
      if (out.size() == before) {
        java.util.regex.Matcher m = REPOSITORY_LAYOUT.matcher(jar.replace('\\', '/'));
        Manifest manifest = file.getManifest();
        if (m.matches()) {
          out.add(m.group(1).replace('/', '.') + ":" + m.group(2) + ":" + m.group(3));
        } else if (manifest != null
            && manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_TITLE) != null) {
          Attributes a = manifest.getMainAttributes();
          String vendor = a.getValue("Implementation-Vendor-Id");
          out.add((vendor != null ? vendor : "unknown") + ":" + a.getValue(Attributes.Name.IMPLEMENTATION_TITLE)
              + ":" + a.getValue(Attributes.Name.IMPLEMENTATION_VERSION));
        }
      }
    } catch (IOException e) {
      // Unreadable: skipped, as above.
    }
  }
}
