package io.runlake.artifacts;

import io.runlake.artifacts.internal.HadoopArtifactRepository;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/** Opens artifact repositories on Hadoop file systems. */
public final class ArtifactRepositories {
  private ArtifactRepositories() {}

  /** The repository rooted at {@code uri}, with the session's Hadoop configuration (credentials...). */
  public static ArtifactRepository at(SparkSession spark, String uri) {
    return at(spark.sparkContext().hadoopConfiguration(), uri);
  }

  public static ArtifactRepository at(Configuration hadoopConf, String uri) {
    return new HadoopArtifactRepository(hadoopConf, uri);
  }
}
