package io.jlivepeer.playback;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Whole-file writes that a reader never sees half done: a temporary file beside the target, then a rename. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code data} to {@code file} (creating its folder), replacing any earlier content in one step. */
  public static void write(Path file, byte[] data) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = Files.createTempFile(file.getParent(), ".part-", ".tmp");
    try {
      Files.write(tmp, data);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
