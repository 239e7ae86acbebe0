package io.jlivepeer.wire;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * O's TLS certificate and key (wire.md "Transport"): self-signed, kept in the data dir as {@value #CERT_FILE} and
 * {@value #KEY_FILE} (PKCS#8 PEM), created on first start and reused after. Peers pin nothing (identity comes
 * from Ethereum signatures), so the certificate only has to be stable enough not to surprise an operator.
 *
 * @param certificate the self-signed certificate
 * @param privateKey its EC P-256 key
 */
public record TlsIdentity(X509Certificate certificate, PrivateKey privateKey) {
  public static final String CERT_FILE = "cert.pem";
  public static final String KEY_FILE = "key.pem";
  /** Lifetime of a new certificate. */
  public static final Duration VALIDITY = Duration.ofDays(3650);
  private static final Logger log = LoggerFactory.getLogger(TlsIdentity.class);

  public TlsIdentity {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /**
   * Loads {@code dataDir/cert.pem} and {@code dataDir/key.pem}, or creates them (and the directory) when either is
   * missing or the certificate has expired.
   */
  public static TlsIdentity loadOrCreate(Path dataDir, Clock clock) {
    Path cert = dataDir.resolve(CERT_FILE);
    Path key = dataDir.resolve(KEY_FILE);
    try {
      if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
        TlsIdentity loaded = load(cert, key);
        if (loaded.certificate.getNotAfter().toInstant().isAfter(clock.instant())) {
          return loaded;
        }
        log.warn("TLS certificate {} expired on {}; creating a new one", cert, loaded.certificate.getNotAfter());
      }
      Files.createDirectories(dataDir);
      TlsIdentity created = generate(clock);
      writeAtomically(key, pem(new JcaPKCS8Generator(created.privateKey, null)), true);
      writeAtomically(cert, pem(created.certificate), false);
      log.info("created a self-signed TLS certificate in {}", dataDir);
      return created;
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new WireException(500, "cannot load or create the TLS certificate in " + dataDir + ": " + e.getMessage()
          + " (delete " + CERT_FILE + " and " + KEY_FILE + " there to start with a new one)", e);
    }
  }

  /** A fresh self-signed identity, not stored anywhere. */
  public static TlsIdentity generate(Clock clock) throws GeneralSecurityException, OperatorCreationException {
    return generate(clock, "localhost");
  }

  /** As {@link #generate(Clock)} for another DNS name (tests use it to prove clients skip host-name checks). */
  static TlsIdentity generate(Clock clock, String dnsName) throws GeneralSecurityException, OperatorCreationException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    KeyPair pair = generator.generateKeyPair();
    X500Name name = new X500Name("CN=jlivepeer orchestrator");
    Instant now = clock.instant();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name, pair.getPublic());
    try {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, dnsName)}));
    } catch (IOException e) {
      throw new GeneralSecurityException("cannot add the subject alternative name", e);
    }
    X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
    return new TlsIdentity(new JcaX509CertificateConverter().getCertificate(holder), pair.getPrivate());
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "TlsIdentity[" + certificate.getSubjectX500Principal() + ", valid until " + certificate.getNotAfter() + "]";
  }

  private static TlsIdentity load(Path cert, Path key) throws IOException, GeneralSecurityException {
    Object certObject;
    try (Reader r = Files.newBufferedReader(cert, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
      certObject = parser.readObject();
    }
    Object keyObject;
    try (Reader r = Files.newBufferedReader(key, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
      keyObject = parser.readObject();
    }
    if (!(certObject instanceof X509CertificateHolder holder)) {
      throw new GeneralSecurityException(cert + " holds no PEM certificate");
    }
    if (!(keyObject instanceof PrivateKeyInfo info)) {
      throw new GeneralSecurityException(key + " holds no PKCS#8 PEM private key");
    }
    return new TlsIdentity(new JcaX509CertificateConverter().getCertificate(holder),
        new JcaPEMKeyConverter().getPrivateKey(info));
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object instanceof JcaPKCS8Generator g ? g.generate() : object);
    }
    return out.toString();
  }

  private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
    try {
      if (secret) {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          log.debug("file system has no POSIX permissions; {} keeps its default ones", target);
        }
      }
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
        w.write(content);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
