package io.jlivepeer.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same contract for the S3 store (against a real s3proxy) and the file store. */
class ObjectStoreContractTest {
  @TempDir Path tmp;

  @Test
  void s3StorePutsGetsListsAndDeletesAgainstARealS3Server() throws Exception {
    S3ProxyProcess s3 = S3ProxyProcess.shared();
    try (ObjectStore store = ObjectStore.open(s3.bucket("contract") + "/some/prefix")) {
      assertThat(store.describe()).isEqualTo("s3+http://127.0.0.1:" + s3.port() + "/contract/some/prefix");
      checkContract(store);
    }
    // the prefix really is a prefix in the bucket
    try (ObjectStore whole = ObjectStore.open(s3.url("contract"))) {
      whole.put("outside.txt", new byte[] {1}, "text/plain");
      assertThat(whole.list("")).contains("outside.txt").allMatch(k -> k.equals("outside.txt")
          || k.startsWith("some/prefix/"));
    }
  }

  @Test
  void fileStorePutsGetsListsAndDeletes() {
    try (ObjectStore store = ObjectStore.open("file://" + tmp.resolve("files"))) {
      checkContract(store);
    }
    assertThat(tmp.resolve("files")).isDirectory();
  }

  @Test
  void wrongCredentialsAndAMissingBucketAreExplained() throws Exception {
    S3ProxyProcess s3 = S3ProxyProcess.shared();
    s3.bucket("exists");
    try (ObjectStore wrong = ObjectStore.open("s3+http://jlivepeer-test:wrong@127.0.0.1:" + s3.port() + "/exists")) {
      assertThatThrownBy(() -> wrong.put("a.ts", new byte[1], StreamRecorder.TS))
          .isInstanceOf(ObjectStoreException.class)
          .hasMessageContaining("refused the credentials").hasMessageContaining("check the access key")
          .message().doesNotContain("wrong");
      // a segment-sized body: the store answers 403 from the headers and closes while the body is still going out
      assertThatThrownBy(() -> wrong.put("big.ts", new byte[4 << 20], StreamRecorder.TS))
          .isInstanceOf(ObjectStoreException.class)
          .hasMessageContaining("refused the credentials").hasMessageContaining("check the access key")
          .message().doesNotContain("wrong");
    }
    try (ObjectStore missing = ObjectStore.open(s3.url("no-such-bucket"))) {
      assertThatThrownBy(() -> missing.put("a.ts", new byte[1], StreamRecorder.TS))
          .isInstanceOf(ObjectStoreException.class).hasMessageContaining("no-such-bucket");
    }
  }

  @Test
  void anUnreachableStoreSaysSo() {
    try (ObjectStore down = ObjectStore.open("s3+http://k:s@127.0.0.1:1/bucket")) {
      assertThatThrownBy(() -> down.put("a.ts", new byte[1], StreamRecorder.TS))
          .isInstanceOf(ObjectStoreException.class)
          .hasMessageContaining("could not reach the store").hasMessageContaining("s3+http://127.0.0.1:1/bucket");
    }
  }

  private static void checkContract(ObjectStore store) {
    byte[] segment = "segment bytes".getBytes(StandardCharsets.UTF_8);
    store.put("m1/s1/source/0.ts", segment, StreamRecorder.TS);
    store.put("m1/s1/source/1.ts", new byte[0], StreamRecorder.TS);
    store.put("m1/s1/index.m3u8", "#EXTM3U\n".getBytes(StandardCharsets.UTF_8), StreamRecorder.M3U8);
    store.put("m2/x.ts", new byte[] {7}, StreamRecorder.TS);
    assertThat(store.get("m1/s1/source/0.ts")).hasValueSatisfying(b -> assertThat(b).isEqualTo(segment));
    assertThat(store.get("m1/s1/source/1.ts")).hasValueSatisfying(b -> assertThat(b).isEmpty());
    assertThat(store.get("m1/s1/source/9.ts")).isEmpty();
    assertThat(store.list("m1/")).containsExactly("m1/s1/index.m3u8", "m1/s1/source/0.ts", "m1/s1/source/1.ts");
    assertThat(store.list("")).hasSize(4);
    store.put("m1/s1/source/0.ts", new byte[] {9}, StreamRecorder.TS); // replaces
    assertThat(store.get("m1/s1/source/0.ts")).hasValueSatisfying(b -> assertThat(b).containsExactly(9));
    store.delete("m1/s1/source/0.ts");
    store.delete("m1/s1/source/0.ts"); // deleting twice is fine
    assertThat(store.get("m1/s1/source/0.ts")).isEmpty();
    assertThat(store.list("m1/s1/source/")).containsExactly("m1/s1/source/1.ts");
    for (String bad : List.of("../escape.ts", "/abs.ts", "a//b.ts", "a/../../b", ".hidden", "a b.ts", "")) {
      assertThatThrownBy(() -> store.put(bad, new byte[1], StreamRecorder.TS)).as(bad)
          .isInstanceOf(ObjectStoreException.class).hasMessageContaining("invalid object key");
    }
  }

  @Test
  void fileStoreKeysCannotLeaveTheFolder() throws Exception {
    Path root = tmp.resolve("jail");
    try (ObjectStore store = ObjectStore.open("file://" + root)) {
      assertThatThrownBy(() -> store.get("../outside")).isInstanceOf(ObjectStoreException.class);
    }
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("jail");
    }
  }
}
