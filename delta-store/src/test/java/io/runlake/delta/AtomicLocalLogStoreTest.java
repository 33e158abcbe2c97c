package io.runlake.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.runlake.testing.SharedSpark;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class AtomicLocalLogStoreTest {

  @Test
  void exactlyOneOfManyConcurrentWritersWinsEachCommitFile() throws Exception {
    Path dir = SharedSpark.newDirectory("logstore");
    Configuration conf = new Configuration();
    int writers = 4;
    // One store instance per writer, as in separate JVMs: nothing in memory is shared.
    List<AtomicLocalLogStore> stores = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      stores.add(new AtomicLocalLogStore(conf));
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      for (int version = 0; version < 200; version++) {
        org.apache.hadoop.fs.Path target =
            new org.apache.hadoop.fs.Path(dir.toUri().toString() + String.format("/%020d.json", version));
        CyclicBarrier barrier = new CyclicBarrier(writers);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          int writer = w;
          results.add(
              pool.submit(
                  () -> {
                    barrier.await();
                    try {
                      stores.get(writer).write(target, List.of("writer " + writer).iterator(), false, conf);
                      return true;
                    } catch (FileAlreadyExistsException e) {
                      return false;
                    }
                  }));
        }
        int winners = 0;
        int winner = -1;
        for (int w = 0; w < writers; w++) {
          if (results.get(w).get()) {
            winners++;
            winner = w;
          }
        }
        assertThat(winners).as("winners of version " + version).isEqualTo(1);
        assertThat(Files.readString(Path.of(target.toUri()))).isEqualTo("writer " + winner + "\n");
      }
    } finally {
      pool.shutdown();
    }
    try (var files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void overwritesWhenAsked() throws Exception {
    Path dir = SharedSpark.newDirectory("logstore-overwrite");
    Configuration conf = new Configuration();
    AtomicLocalLogStore store = new AtomicLocalLogStore(conf);
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir.toUri() + "/_last_checkpoint");
    store.write(target, List.of("a").iterator(), false, conf);
    store.write(target, List.of("b").iterator(), true, conf);
    assertThat(Files.readString(Path.of(target.toUri()))).isEqualTo("b\n");
  }
}
