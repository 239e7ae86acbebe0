package io.jlivepeer.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ObjectStoreUrlTest {
  @Test
  void parsesAnS3UrlWithPortPrefixAndEncodedSecret() {
    ObjectStoreUrl u = ObjectStoreUrl.parse("s3+http://AKIA123:se%2Fcr%2Bet@127.0.0.1:9000/my-bucket/live/b1/");
    assertThat(u.kind()).isEqualTo(ObjectStoreUrl.Kind.S3);
    assertThat(u.accessKey()).isEqualTo("AKIA123");
    assertThat(u.secret()).isEqualTo("se/cr+et");
    assertThat(u.endpoint()).isEqualTo("http://127.0.0.1:9000");
    assertThat(u.bucket()).isEqualTo("my-bucket");
    assertThat(u.prefix()).isEqualTo("live/b1");
    assertThat(u.region()).isEqualTo(ObjectStoreUrl.DEFAULT_REGION);
    assertThat(u.fullKey("a/1.ts")).isEqualTo("live/b1/a/1.ts");
    assertThat(u).hasToString("s3+http://127.0.0.1:9000/my-bucket/live/b1");
  }

  @Test
  void takesARawSlashOrPlusInTheSecretAndTheRegionFromAwsHostsOrTheParameter() {
    ObjectStoreUrl aws = ObjectStoreUrl.parse("s3+https://AK:wJal/rXU+tnF@s3.eu-west-1.amazonaws.com/vod");
    assertThat(aws.secret()).isEqualTo("wJal/rXU+tnF");
    assertThat(aws.https()).isTrue();
    assertThat(aws.region()).isEqualTo("eu-west-1");
    assertThat(aws.endpoint()).isEqualTo("https://s3.eu-west-1.amazonaws.com");
    assertThat(ObjectStoreUrl.parse("s3+http://a:b@minio.local/vod?region=ap-south-1").region())
        .isEqualTo("ap-south-1");
  }

  @Test
  void parsesAFileUrl() {
    ObjectStoreUrl u = ObjectStoreUrl.parse("file:///var/lib/recordings/../rec");
    assertThat(u.kind()).isEqualTo(ObjectStoreUrl.Kind.FILE);
    assertThat(u.folder()).contains(Path.of("/var/lib/rec"));
  }

  @Test
  void badUrlsGetClearErrorsThatNeverShowTheSecret() {
    assertBad("", "empty object store URL");
    assertBad("ftp://h/b", "unsupported object store URL scheme 'ftp'");
    assertBad("s3://a:b@h/b", "unsupported object store URL scheme 's3'");
    assertBad("s3+http://h:9000/bucket", "has no credentials");
    assertBad("s3+http://onlykey@h/bucket", "needs both an access key and a secret");
    assertBad("s3+http://k:topsecret@h:9000", "names no bucket");
    assertBad("s3+http://k:topsecret@h:9000/", "names no bucket");
    assertBad("s3+http://k:topsecret@h:99999/b1b", "invalid port '99999'");
    assertBad("s3+http://k:topsecret@h:x/b1b", "invalid port 'x'");
    assertBad("s3+http://k:topsecret@bad_host!/bkt", "invalid host");
    assertBad("s3+http://k:topsecret@h/Upper_Case", "invalid bucket name 'Upper_Case'");
    assertBad("s3+http://k:topsecret@h/ab", "invalid bucket name 'ab'");
    assertBad("s3+http://k:topsecret@h/bkt/../etc", "invalid object key");
    assertBad("s3+http://k:topsecret@h/bkt?region=EU WEST", "invalid region");
    assertBad("s3+http://k:topsecret@h/bkt?acl=public", "unknown parameter 'acl=public'");
    assertBad("s3+http://k:top%zzsecret@h/bkt", "badly percent-encoded secret");
    assertBad("file://otherhost/x", "names a host");
    assertBad("file:relative/dir", "needs an absolute folder");
  }

  @Test
  void redactsCredentialsForLogs() {
    assertThat(ObjectStoreUrl.redactCredentials("s3+http://key:topsecret@h:9000/b"))
        .isEqualTo("s3+http://***@h:9000/b");
    assertThat(ObjectStoreUrl.redactCredentials("file:///x")).isEqualTo("file:///x");
    assertThat(StoreSetup.none().withRecordObjectStore("s3+https://k:topsecret@h/b").toString())
        .doesNotContain("topsecret").contains("s3+https://***@h/b");
  }

  private static void assertBad(String url, String message) {
    assertThatThrownBy(() -> ObjectStore.open(url)).as(url)
        .isInstanceOf(ObjectStoreException.class)
        .hasMessageContaining(message)
        .message().doesNotContain("topsecret").doesNotContain("top%zzsecret");
  }
}
