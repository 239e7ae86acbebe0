package io.jlivepeer.node.store;

import io.jlivepeer.playback.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Objects as files under a folder ({@code file:///<folder>}): key {@code a/b/c.ts} is {@code <folder>/a/b/c.ts}.
 * Writes go to a temporary file that is moved into place, so a reader never sees half an object. Keys are checked
 * by {@link ObjectStore#requireKey}, so no key names a file outside the folder.
 */
public final class FileObjectStore implements ObjectStore {
  private final Path root;

  private FileObjectStore(Path root) {
    this.root = root;
  }

  static FileObjectStore open(ObjectStoreUrl url) {
    return open(url.folder().orElseThrow());
  }

  /**
   * Opens (creating when missing) the folder.
   *
   * @throws ObjectStoreException when it cannot be created
   */
  public static FileObjectStore open(Path folder) {
    Path root = folder.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new ObjectStoreException("could not create the object store folder " + root + ": " + e.getMessage()
          + "; check the path and its permissions", e);
    }
    return new FileObjectStore(root);
  }

  @Override
  public void put(String key, byte[] data, String contentType) {
    Path file = fileOf(key);
    try {
      AtomicFiles.write(file, data);
    } catch (IOException e) {
      throw new ObjectStoreException("could not write " + file + ": " + e.getMessage()
          + "; check free disk space and the folder's permissions", e);
    }
  }

  @Override
  public Optional<byte[]> get(String key) {
    Path file = fileOf(key);
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      if (Files.isDirectory(file)) {
        return Optional.empty();
      }
      throw new ObjectStoreException("could not read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/"))
          .filter(k -> !k.contains("/.") && !k.startsWith("."))
          .filter(k -> k.startsWith(prefix))
          .sorted()
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new ObjectStoreException("could not list " + root + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void delete(String key) {
    Path file = fileOf(key);
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new ObjectStoreException("could not delete " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "file://" + root;
  }

  @Override
  public void close() {
    // nothing is held open between calls
  }

  private Path fileOf(String key) {
    return root.resolve(ObjectStore.requireKey(key, describe()));
  }
}
