package io.runlake.artifacts.internal;

import io.runlake.artifacts.ArtifactRepository;
import io.runlake.artifacts.FileInfo;
import io.runlake.errors.ErrorCode;
import io.runlake.errors.RunlakeException;
import io.runlake.tracking.Page;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/** An artifact repository on a Hadoop {@link FileSystem}: local disk, S3 (s3a), HDFS, ABFS... */
public final class HadoopArtifactRepository implements ArtifactRepository {
  private static final int MAX_LIST = 10_000;

  private final Configuration conf;
  private final String root;

  public HadoopArtifactRepository(Configuration conf, String rootUri) {
    this.conf = conf;
    this.root = rootUri.endsWith("/") ? rootUri.substring(0, rootUri.length() - 1) : rootUri;
  }

  @Override
  public String rootUri() {
    return root;
  }

  @Override
  public String uri(String path) {
    String p = normalize(path);
    return p.isEmpty() ? root : root + "/" + p;
  }

  @Override
  public void logFile(Path localFile, String artifactPath) {
    if (!Files.isRegularFile(localFile)) {
      throw invalid("Cannot log artifact " + localFile + ": it is not a file. Use logDirectory for a directory.");
    }
    String dir = normalize(artifactPath);
    String target = (dir.isEmpty() ? "" : dir + "/") + localFile.getFileName();
    io("logging artifact " + localFile + " to " + uri(target), () -> {
      copyFromLocal(localFile, hadoopPath(target));
      return null;
    });
  }

  @Override
  public void logDirectory(Path localDirectory, String artifactPath) {
    if (!Files.isDirectory(localDirectory)) {
      throw invalid("Cannot log artifacts from " + localDirectory + ": it is not a directory.");
    }
    String dir = normalize(artifactPath);
    io("logging artifacts from " + localDirectory + " to " + uri(dir), () -> {
      try (var files = Files.walk(localDirectory)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          String rel = localDirectory.relativize(f).toString().replace('\\', '/');
          copyFromLocal(f, hadoopPath((dir.isEmpty() ? "" : dir + "/") + rel));
        }
      }
      return null;
    });
  }

  @Override
  public void writeText(String path, String text) {
    org.apache.hadoop.fs.Path target = hadoopPath(normalize(path));
    io("writing " + uri(path), () -> {
      try (OutputStream out = fs().create(target, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      return null;
    });
  }

  @Override
  public String readText(String path) {
    org.apache.hadoop.fs.Path source = hadoopPath(normalize(path));
    return io("reading " + uri(path), () -> {
      try (InputStream in = fs().open(source)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (FileNotFoundException e) {
        throw notFound(path);
      }
    });
  }

  @Override
  public Page<FileInfo> list(String path, int maxResults, String pageToken) {
    if (maxResults < 1 || maxResults > MAX_LIST) {
      throw invalid("Invalid value " + maxResults + " for parameter 'max_results': it must be between 1 and " + MAX_LIST + ".");
    }
    String dir = normalize(path);
    String after = decode(pageToken);
    List<FileInfo> all = io("listing " + uri(dir), () -> {
      org.apache.hadoop.fs.Path p = hadoopPath(dir);
      FileStatus[] children;
      try {
        FileStatus status = fs().getFileStatus(p);
        if (!status.isDirectory()) {
          return List.<FileInfo>of();
        }
        children = fs().listStatus(p);
      } catch (FileNotFoundException e) {
        return List.<FileInfo>of();
      }
      List<FileInfo> out = new ArrayList<>();
      Arrays.sort(children, Comparator.comparing(s -> s.getPath().getName()));
      for (FileStatus s : children) {
        String name = s.getPath().getName();
        if (name.startsWith(".") && name.endsWith(".crc")) {
          continue;
        }
        String rel = dir.isEmpty() ? name : dir + "/" + name;
        out.add(new FileInfo(rel, s.isDirectory(), s.isDirectory() ? null : s.getLen()));
      }
      return out;
    });
    List<FileInfo> rest = after == null ? all : all.stream().filter(f -> f.path().compareTo(after) > 0).toList();
    List<FileInfo> page = rest.subList(0, Math.min(maxResults, rest.size()));
    Optional<String> next =
        rest.size() > maxResults
            ? Optional.of(Base64.getUrlEncoder().withoutPadding().encodeToString(page.get(page.size() - 1).path().getBytes(StandardCharsets.UTF_8)))
            : Optional.empty();
    return new Page<>(page, next);
  }

  @Override
  public Path download(String path, Path destination) {
    String p = normalize(path);
    return io("downloading " + uri(p) + " to " + destination, () -> {
      org.apache.hadoop.fs.Path source = hadoopPath(p);
      FileStatus status;
      try {
        status = fs().getFileStatus(source);
      } catch (FileNotFoundException e) {
        throw notFound(p);
      }
      Path target = destination.resolve(p.isEmpty() ? "" : p).normalize();
      copyToLocal(status, target);
      return target;
    });
  }

  @Override
  public boolean exists(String path) {
    org.apache.hadoop.fs.Path p = hadoopPath(normalize(path));
    return io("checking " + uri(path), () -> fs().exists(p));
  }

  private void copyToLocal(FileStatus status, Path target) throws IOException {
    if (status.isDirectory()) {
      Files.createDirectories(target);
      for (FileStatus child : fs().listStatus(status.getPath())) {
        String name = child.getPath().getName();
        if (!(name.startsWith(".") && name.endsWith(".crc"))) {
          copyToLocal(child, target.resolve(name));
        }
      }
    } else {
      Files.createDirectories(target.getParent());
      try (InputStream in = fs().open(status.getPath())) {
        Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private void copyFromLocal(Path local, org.apache.hadoop.fs.Path target) throws IOException {
    try (InputStream in = Files.newInputStream(local);
        OutputStream out = fs().create(target, true)) {
      in.transferTo(out);
    }
  }

  private FileSystem fs() throws IOException {
    return new org.apache.hadoop.fs.Path(root).getFileSystem(conf);
  }

  private org.apache.hadoop.fs.Path hadoopPath(String relative) {
    return new org.apache.hadoop.fs.Path(relative.isEmpty() ? root : root + "/" + relative);
  }

  /** A relative artifact path: no leading slash, no '.' or '..' segments, no empty segments. */
  static String normalize(String path) {
    if (path == null) {
      return "";
    }
    String p = path.replace('\\', '/');
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    for (String segment : p.split("/", -1)) {
      if (!p.isEmpty() && (segment.isEmpty() || segment.equals(".") || segment.equals(".."))) {
        throw invalid(
            "Invalid artifact path '" + path + "': it must be relative to the artifact root, without"
                + " '.', '..' or empty segments.");
      }
    }
    return p;
  }

  private static String decode(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid("Invalid page token '" + token + "'. Pass back the token of the previous page unchanged.");
    }
  }

  private interface IoAction<T> {
    T run() throws IOException;
  }

  private <T> T io(String what, IoAction<T> action) {
    try {
      return action.run();
    } catch (IOException e) {
      throw new RunlakeException(ErrorCode.INTERNAL_ERROR, "Failed while " + what + ": " + e.getMessage(), e);
    }
  }

  private RunlakeException notFound(String path) {
    return new RunlakeException(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No artifact at '" + path + "' under " + root + ".");
  }

  private static RunlakeException invalid(String message) {
    return new RunlakeException(ErrorCode.INVALID_PARAMETER_VALUE, message);
  }
}
