package io.jlivepeer.node.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code -objectStore} / {@code -recordObjectStore} URL. Two forms:
 *
 * <ul>
 *   <li>{@code s3+http://<accessKey>:<secret>@<host>[:<port>]/<bucket>[/<prefix>][?region=<region>]} (or
 *       {@code s3+https://}): an S3 bucket, addressed path-style so any S3-compatible server works. The key and
 *       secret may be percent-encoded; a raw {@code /} or {@code +} in the secret is taken as it is. The region is
 *       the {@code region} parameter, else the one in an AWS host name ({@code s3.eu-west-1.amazonaws.com}), else
 *       {@value #DEFAULT_REGION}.</li>
 *   <li>{@code file:///<absolute folder>}: a folder on this machine.</li>
 * </ul>
 *
 * <p>{@link #toString()} and every error message show the URL without the credentials.
 *
 * @param prefix where in the bucket the store's keys go ({@code ""} or a key without trailing {@code /})
 * @param folder the file store's folder (empty for S3)
 */
public record ObjectStoreUrl(
    Kind kind,
    boolean https,
    String accessKey,
    String secret,
    String host,
    int port,
    String bucket,
    String prefix,
    String region,
    Optional<Path> folder) {

  public static final String DEFAULT_REGION = "us-east-1";

  /** Which kind of store. */
  public enum Kind { S3, FILE }

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+]");
  /** S3's bucket naming rules: 3 to 63 of lower case letters, digits, '.' and '-', starting and ending alnum. */
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,32}");
  private static final Pattern AWS_HOST_REGION = Pattern.compile("(?:^|\\.)s3[.-]([a-z0-9-]+)\\.amazonaws\\.com$");
  private static final String FORMS = "use s3+http(s)://<accessKey>:<secret>@<host>[:<port>]/<bucket>[/<prefix>]"
      + " or file:///<absolute folder>";

  /** The endpoint the S3 client talks to, e.g. {@code http://127.0.0.1:9000}. */
  public String endpoint() {
    return (https ? "https://" : "http://") + host + (port > 0 ? ":" + port : "");
  }

  /** The full key in the bucket of a store key. */
  String fullKey(String key) {
    return prefix.isEmpty() ? key : prefix + "/" + key;
  }

  /** The URL without credentials. */
  @Override
  public String toString() {
    if (kind == Kind.FILE) {
      return "file://" + folder.map(Path::toString).orElse("");
    }
    return "s3+" + endpoint() + "/" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }

  /**
   * Parses a store URL.
   *
   * @throws ObjectStoreException naming what is wrong; the secret is never part of the message
   */
  public static ObjectStoreUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new ObjectStoreException("empty object store URL; " + FORMS);
    }
    String trimmed = url.strip();
    String lower = trimmed.toLowerCase(Locale.ROOT);
    if (lower.startsWith("file:")) {
      return parseFile(trimmed);
    }
    boolean https;
    if (lower.startsWith("s3+http://")) {
      https = false;
    } else if (lower.startsWith("s3+https://")) {
      https = true;
    } else {
      int colon = trimmed.indexOf(':');
      String scheme = colon > 0 && colon < 20 ? trimmed.substring(0, colon) : "(none)";
      throw new ObjectStoreException("unsupported object store URL scheme '" + ObjectStore.printable(scheme) + "'; "
          + FORMS);
    }
    String rest = trimmed.substring(https ? "s3+https://".length() : "s3+http://".length());
    // The secret may hold '/' or '+' (AWS secrets do): the credentials end at the last '@', which no bucket, prefix
    // or host may contain.
    int at = rest.lastIndexOf('@');
    if (at < 0) {
      throw new ObjectStoreException("object store URL " + redact(https, rest) + " has no credentials; " + FORMS);
    }
    String userInfo = rest.substring(0, at);
    String location = rest.substring(at + 1);
    String shown = redact(https, location);
    int colon = userInfo.indexOf(':');
    if (colon <= 0 || colon == userInfo.length() - 1) {
      throw new ObjectStoreException("object store URL " + shown
          + " needs both an access key and a secret before the '@' (<accessKey>:<secret>@)");
    }
    String accessKey = decode(userInfo.substring(0, colon), shown, "access key");
    String secret = decode(userInfo.substring(colon + 1), shown, "secret");

    String query = "";
    int q = location.indexOf('?');
    if (q >= 0) {
      query = location.substring(q + 1);
      location = location.substring(0, q);
    }
    int slash = location.indexOf('/');
    if (slash < 0 || slash == location.length() - 1) {
      throw new ObjectStoreException("object store URL " + shown + " names no bucket (host:port/bucket)");
    }
    String authority = location.substring(0, slash);
    String path = location.substring(slash + 1);
    String host = authority;
    int port = -1;
    int portColon = authority.lastIndexOf(':');
    if (portColon >= 0 && !authority.endsWith("]")) {
      host = authority.substring(0, portColon);
      String portText = authority.substring(portColon + 1);
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        port = 0;
      }
      if (port < 1 || port > 65_535) {
        throw new ObjectStoreException("object store URL " + shown + " has an invalid port '"
            + ObjectStore.printable(portText) + "' (1 to 65535)");
      }
    }
    if (!HOST.matcher(host).matches()) {
      throw new ObjectStoreException("object store URL " + shown + " has an invalid host '"
          + ObjectStore.printable(host) + "'");
    }
    String bucket = path;
    String prefix = "";
    int bucketEnd = path.indexOf('/');
    if (bucketEnd >= 0) {
      bucket = path.substring(0, bucketEnd);
      prefix = path.substring(bucketEnd + 1);
      while (prefix.endsWith("/")) {
        prefix = prefix.substring(0, prefix.length() - 1);
      }
    }
    if (!BUCKET.matcher(bucket).matches()) {
      throw new ObjectStoreException("object store URL " + shown + " has an invalid bucket name '"
          + ObjectStore.printable(bucket) + "' (3 to 63 lower-case letters, digits, '.' and '-')");
    }
    if (!prefix.isEmpty()) {
      ObjectStore.requireKey(prefix, "the prefix of " + shown);
    }
    String region = null;
    if (!query.isEmpty()) {
      for (String param : query.split("&")) {
        if (param.startsWith("region=")) {
          region = param.substring("region=".length());
          if (!REGION.matcher(region).matches()) {
            throw new ObjectStoreException("object store URL " + shown + " has an invalid region '"
                + ObjectStore.printable(region) + "' (like eu-west-1)");
          }
        } else if (!param.isEmpty()) {
          throw new ObjectStoreException("object store URL " + shown + " has an unknown parameter '"
              + ObjectStore.printable(param) + "' (only region=<region> is understood)");
        }
      }
    }
    if (region == null) {
      Matcher m = AWS_HOST_REGION.matcher(host.toLowerCase(Locale.ROOT));
      region = m.find() ? m.group(1) : DEFAULT_REGION;
    }
    return new ObjectStoreUrl(Kind.S3, https, accessKey, secret, host, port, bucket, prefix, region,
        Optional.empty());
  }

  private static ObjectStoreUrl parseFile(String url) {
    String path;
    if (url.regionMatches(true, 0, "file:///", 0, 8)) {
      path = url.substring(7);
    } else if (url.regionMatches(true, 0, "file://", 0, 7)) {
      throw new ObjectStoreException("object store URL " + ObjectStore.printable(url)
          + " names a host; a file store is on this machine: file:///<absolute folder>");
    } else {
      path = url.substring(5);
    }
    Path folder;
    try {
      folder = Path.of(URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) { // InvalidPathException too
      throw new ObjectStoreException("object store URL " + ObjectStore.printable(url) + " is not a valid path: "
          + e.getMessage());
    }
    if (!folder.isAbsolute()) {
      throw new ObjectStoreException("object store URL " + ObjectStore.printable(url)
          + " needs an absolute folder: file:///<absolute folder>");
    }
    return new ObjectStoreUrl(Kind.FILE, false, "", "", "", -1, "", "", "", Optional.of(folder.normalize()));
  }

  private static String decode(String s, String shown, String what) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ObjectStoreException("object store URL " + shown + " has a badly percent-encoded " + what);
    }
  }

  private static String redact(boolean https, String location) {
    return ObjectStore.printable("s3+" + (https ? "https://" : "http://") + location);
  }

  /** Redacts the credentials of anything that looks like a store URL (for logging flag values). */
  public static String redactCredentials(String url) {
    if (url == null) {
      return "null";
    }
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return url;
    }
    return url.substring(0, scheme + 3) + "***@" + url.substring(at + 1);
  }
}
