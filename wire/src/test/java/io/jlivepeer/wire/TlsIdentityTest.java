package io.jlivepeer.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsIdentityTest {
  @TempDir
  Path dir;

  @Test
  void createsOnceAndReusesAfterRestart() throws Exception {
    Clock clock = Clock.systemUTC();
    Path dataDir = dir.resolve("data");
    TlsIdentity first = TlsIdentity.loadOrCreate(dataDir, clock);
    assertThat(dataDir.resolve(TlsIdentity.CERT_FILE)).exists();
    assertThat(Files.readString(dataDir.resolve(TlsIdentity.KEY_FILE))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.getPosixFilePermissions(dataDir.resolve(TlsIdentity.KEY_FILE)))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    TlsIdentity second = TlsIdentity.loadOrCreate(dataDir, clock);
    assertThat(second.certificate().getEncoded()).isEqualTo(first.certificate().getEncoded());
    assertThat(second.privateKey().getEncoded()).isEqualTo(first.privateKey().getEncoded());
    first.certificate().verify(first.certificate().getPublicKey()); // self-signed
    assertThat(first.toString()).doesNotContain("BEGIN").contains("jlivepeer");
  }

  @Test
  void replacesAnExpiredCertificate() {
    TlsIdentity old = TlsIdentity.loadOrCreate(dir, Clock.systemUTC());
    Clock later = Clock.fixed(Instant.now().plus(TlsIdentity.VALIDITY).plus(Duration.ofDays(2)), ZoneOffset.UTC);
    TlsIdentity renewed = TlsIdentity.loadOrCreate(dir, later);
    assertThat(renewed.certificate().getSerialNumber()).isNotEqualTo(old.certificate().getSerialNumber());
    assertThat(renewed.certificate().getNotAfter().toInstant()).isAfter(later.instant());
  }

  @Test
  void corruptFilesGiveAnOperatorMessage() throws Exception {
    Files.writeString(dir.resolve(TlsIdentity.CERT_FILE), "garbage");
    Files.writeString(dir.resolve(TlsIdentity.KEY_FILE), "garbage");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TlsIdentity.loadOrCreate(dir, Clock.systemUTC()))
        .isInstanceOf(WireException.class)
        .hasMessageContaining("delete cert.pem and key.pem");
  }
}
