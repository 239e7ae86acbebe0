package io.jlivepeer.playback;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Segments as files {@code <dataDir>/hls-segments/<manifestId>/<rendition>/<mediaSequence>.ts}. Keys only hold
 * letters, digits, '-' and '_', so a key cannot name a file outside that folder. Files are written to a temporary
 * name and moved into place, so a reader never sees half a segment.
 *
 * <p>The folder belongs to the store: playlists live in memory, so segments left by an earlier run can never be
 * served again and {@link #open} deletes them.
 */
public final class DiskSegmentStore implements SegmentStore {
  /** The sub-folder of the data dir the store owns. */
  public static final String FOLDER = "hls-segments";

  private final Path root;

  private DiskSegmentStore(Path root) {
    this.root = root;
  }

  /**
   * Opens the store under {@code dataDir}, emptying its folder.
   *
   * @throws PlaybackException when the folder cannot be created or cleared
   */
  public static DiskSegmentStore open(Path dataDir) {
    Path root = dataDir.toAbsolutePath().normalize().resolve(FOLDER);
    try {
      deleteTree(root);
      Files.createDirectories(root);
    } catch (IOException | UncheckedIOException e) {
      throw new PlaybackException("could not prepare the segment folder " + root + ": " + e.getMessage()
          + "; check that the data dir is writable", e);
    }
    return new DiskSegmentStore(root);
  }

  /** The folder holding the segments. */
  public Path root() {
    return root;
  }

  @Override
  public void put(SegmentKey key, byte[] data) {
    Path file = fileOf(key);
    try {
      AtomicFiles.write(file, data);
    } catch (IOException e) {
      throw new PlaybackException("could not write segment " + file + ": " + e.getMessage()
          + "; check free disk space and permissions of the data dir", e);
    }
  }

  @Override
  public Optional<byte[]> get(SegmentKey key) {
    try {
      return Optional.of(Files.readAllBytes(fileOf(key)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new PlaybackException("could not read segment " + fileOf(key) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void delete(SegmentKey key) {
    try {
      Files.deleteIfExists(fileOf(key));
    } catch (IOException e) {
      throw new PlaybackException("could not delete segment " + fileOf(key) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void deleteStream(String manifestId) {
    Path dir = root.resolve(StreamNames.requireSafe(manifestId, "manifest id"));
    try {
      deleteTree(dir);
    } catch (IOException | UncheckedIOException e) {
      throw new PlaybackException("could not delete the segments of stream " + manifestId + " under " + dir
          + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    // Nothing is held open between calls.
  }

  private Path fileOf(SegmentKey key) {
    return root.resolve(key.manifestId()).resolve(key.rendition()).resolve(key.mediaSequence() + ".ts");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
