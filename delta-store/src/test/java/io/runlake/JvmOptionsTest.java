package io.runlake;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/** conf/jvm.options (read by the launcher scripts) must stay Spark's flag list, and tests must use it. */
class JvmOptionsTest {

  @Test
  void launcherFlagsAreSparksOwnList() throws Exception {
    List<String> file = Files.readAllLines(Path.of("..", "conf", "jvm.options")).stream().filter(s -> !s.isBlank()).toList();
    List<String> spark = Arrays.asList(JavaModuleOptions.defaultModuleOptions().split("\\s+"));
    assertThat(file).containsExactlyElementsOf(spark);
  }

  @Test
  void testJvmRunsWithThem() throws Exception {
    List<String> file = Files.readAllLines(Path.of("..", "conf", "jvm.options")).stream().filter(s -> !s.isBlank()).toList();
    assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).containsAll(file);
  }
}
