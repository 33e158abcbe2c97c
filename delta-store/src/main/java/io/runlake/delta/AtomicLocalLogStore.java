package io.runlake.delta;

import io.delta.storage.HDFSLogStore;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Iterator;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;

/**
 * A Delta log store for the local file system that is safe when several JVMs commit to one table.
 *
 * <p>Delta's default store for {@code file:} ({@link HDFSLogStore}) checks that commit file N does not
 * exist and then renames a temporary file onto it. Within one JVM it serialises that check and rename;
 * across JVMs nothing does, and a POSIX rename silently replaces a file another process committed in
 * between, losing that commit. This store writes the temporary file in full and then publishes it with a
 * hard link, which the kernel creates atomically and refuses ({@code EEXIST}) when commit N exists, so
 * exactly one writer wins each version and the others see the conflict Delta expects.
 *
 * <p>Enable it with {@code spark.delta.logStore.file.impl=io.runlake.delta.AtomicLocalLogStore};
 * {@link DeltaStores} does so for the sessions it configures.
 */
public class AtomicLocalLogStore extends HDFSLogStore {

  public AtomicLocalLogStore(Configuration hadoopConf) {
    super(hadoopConf);
  }

  @Override
  public void write(
      org.apache.hadoop.fs.Path path,
      Iterator<String> actions,
      Boolean overwrite,
      Configuration hadoopConf)
      throws IOException {
    if (overwrite || !"file".equals(path.toUri().getScheme())) {
      super.write(path, actions, overwrite, hadoopConf);
      return;
    }
    Path target = Paths.get(path.toUri());
    Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        while (actions.hasNext()) {
          out.write(actions.next());
          out.write('\n');
        }
      }
      try {
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException(path.toString());
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
