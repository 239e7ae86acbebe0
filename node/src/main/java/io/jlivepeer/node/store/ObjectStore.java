package io.jlivepeer.node.store;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A flat key/value store of bytes: an S3 bucket ({@link S3ObjectStore}) or a folder ({@link FileObjectStore}).
 * Keys are {@code /}-separated names of {@code [A-Za-z0-9._-]} (no empty part, no {@code .} or {@code ..}), so a key
 * means the same in every store and can never leave a folder. Implementations are thread-safe; every call blocks
 * (callers on the segment path go through an {@link UploadQueue}).
 */
public interface ObjectStore extends AutoCloseable {
  /** A store's keys; checked by {@link #requireKey}. */
  Pattern KEY = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}){0,15}");

  /**
   * Writes (or replaces) one object.
   *
   * @throws ObjectStoreException when the store refused it or could not be reached
   */
  void put(String key, byte[] data, String contentType);

  /** The object's bytes, empty when there is none under that key. */
  Optional<byte[]> get(String key);

  /** Every key that starts with {@code prefix} (may be empty), sorted. */
  List<String> list(String prefix);

  /** Deletes an object; deleting a missing key is no error. */
  void delete(String key);

  /** The store for logs and errors, without credentials: {@code s3+http://host:9000/bucket/prefix}. */
  String describe();

  @Override
  void close();

  /**
   * Opens the store a URL names; see {@link ObjectStoreUrl#parse} for the forms.
   *
   * @throws ObjectStoreException for a malformed URL (the message says which part is wrong, never the secret)
   */
  static ObjectStore open(String url) {
    ObjectStoreUrl parsed = ObjectStoreUrl.parse(url);
    return switch (parsed.kind()) {
      case FILE -> FileObjectStore.open(parsed);
      case S3 -> S3ObjectStore.open(parsed);
    };
  }

  /** Checks a key; {@code what} names it in the error. */
  static String requireKey(String key, String what) {
    // no part may start with '.', so '.' and '..' cannot occur
    if (key == null || !KEY.matcher(key).matches()) {
      throw new ObjectStoreException("invalid object key for " + what + ": '" + printable(key)
          + "' (use /-separated names of letters, digits, '.', '_' and '-')");
    }
    return key;
  }

  /** A key or name cut short and stripped of control characters, for error messages. */
  static String printable(String s) {
    if (s == null) {
      return "null";
    }
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return cut.replaceAll("[\\p{Cntrl}]", "?");
  }
}
