package io.jlivepeer.node.store;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A bucket (and optional prefix) on an S3-compatible server, through the AWS SDK for Java v2 with the JDK's URL
 * connection as HTTP client. Path-style addressing ({@code host/bucket/key}) so MinIO, s3proxy, Ceph and the like
 * work without DNS per bucket. Checksums are only sent where S3 requires them: the SDK's default CRC trailers are
 * not understood by every S3-compatible server. The SDK does not retry: the {@link UploadQueue} does, with
 * backoff, and tells the operator.
 */
public final class S3ObjectStore implements ObjectStore {
  /** Connecting gives up after this; an unreachable store must not hold an upload worker long. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** One request (a segment is a few MB at most) gives up after this. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final ObjectStoreUrl url;
  private final S3Client client;

  private S3ObjectStore(ObjectStoreUrl url, S3Client client) {
    this.url = url;
    this.client = client;
  }

  /** Opens a client for the bucket; nothing is sent until the first call. */
  static S3ObjectStore open(ObjectStoreUrl url) {
    S3Client client = S3Client.builder()
        .endpointOverride(URI.create(url.endpoint()))
        .region(Region.of(url.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(url.accessKey(),
            url.secret())))
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClient(UrlConnectionHttpClient.builder()
            .connectionTimeout(CONNECT_TIMEOUT)
            .socketTimeout(REQUEST_TIMEOUT)
            .build())
        .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1)).apiCallTimeout(REQUEST_TIMEOUT))
        .build();
    return new S3ObjectStore(url, client);
  }

  @Override
  public void put(String key, byte[] data, String contentType) {
    String full = url.fullKey(ObjectStore.requireKey(key, describe()));
    try {
      client.putObject(b -> b.bucket(url.bucket()).key(full).contentType(contentType)
          .contentLength((long) data.length), RequestBody.fromBytes(data));
    } catch (SdkException e) {
      throw failure("write " + full, e);
    }
  }

  @Override
  public Optional<byte[]> get(String key) {
    String full = url.fullKey(ObjectStore.requireKey(key, describe()));
    try {
      return Optional.of(client.getObjectAsBytes(b -> b.bucket(url.bucket()).key(full)).asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
        return Optional.empty();
      }
      throw failure("read " + full, e);
    } catch (SdkException e) {
      throw failure("read " + full, e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    String fullPrefix = url.prefix().isEmpty() ? prefix : url.prefix() + "/" + prefix;
    int strip = url.prefix().isEmpty() ? 0 : url.prefix().length() + 1;
    List<String> keys = new ArrayList<>();
    try {
      String token = null;
      do {
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(url.bucket())
            .prefix(fullPrefix);
        if (token != null) {
          request.continuationToken(token);
        }
        ListObjectsV2Response page = client.listObjectsV2(request.build());
        for (S3Object o : page.contents()) {
          keys.add(o.key().substring(strip));
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
    } catch (SdkException e) {
      throw failure("list " + fullPrefix, e);
    }
    keys.sort(null);
    return keys;
  }

  @Override
  public void delete(String key) {
    String full = url.fullKey(ObjectStore.requireKey(key, describe()));
    try {
      client.deleteObject(b -> b.bucket(url.bucket()).key(full));
    } catch (SdkException e) {
      throw failure("delete " + full, e);
    }
  }

  @Override
  public String describe() {
    return url.toString();
  }

  @Override
  public void close() {
    client.close();
  }

  private ObjectStoreException failure(String what, SdkException e) {
    String advice;
    if (e instanceof S3Exception s3) {
      advice = advice(s3);
    } else if (e instanceof SdkClientException) {
      // a server that rejects a request from its headers (a bad signature, a missing bucket) may answer and close
      // while the body is still being sent; the JDK client then reports only the broken write, so ask again
      Optional<S3Exception> answer = unreachable(e) ? Optional.empty() : askWithoutBody();
      advice = answer.map(a -> advice(a) + " (the store's answer to a request without a body; the write itself "
          + "failed: " + firstLine(e) + ")").orElseGet(() -> "could not reach the store (" + firstLine(e)
          + "): check that it runs and that the host and port in the URL are right");
    } else {
      advice = firstLine(e);
    }
    return new ObjectStoreException("object store " + describe() + ": could not " + what + ": " + advice, e);
  }

  private String advice(S3Exception s3) {
    String code = errorCode(s3);
    return switch (s3.statusCode()) {
      case 403 -> "the store refused the credentials (" + code + "): check the access key and secret in the URL";
      case 404 -> "the bucket " + url.bucket() + " does not exist (" + code + "): create it";
      default -> "the store answered HTTP " + s3.statusCode() + " (" + code + ")";
    };
  }

  /** HEAD of the bucket: what the store objects to, if it answers with an error; empty if it is fine or silent. */
  private Optional<S3Exception> askWithoutBody() {
    try {
      client.headBucket(b -> b.bucket(url.bucket()));
      return Optional.empty();
    } catch (S3Exception answer) {
      return Optional.of(answer);
    } catch (SdkException silent) {
      return Optional.empty();
    }
  }

  /** The store could not be connected to at all (asking it again would only wait again). */
  private static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException
          || t instanceof java.net.UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? "no error code"
        : e.awsErrorDetails().errorCode();
  }

  private static String firstLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
