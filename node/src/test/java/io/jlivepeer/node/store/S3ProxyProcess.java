package io.jlivepeer.node.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible server for tests: s3proxy (org.gaul:s3proxy, copied to target/s3proxy by the build) as its own
 * java process on a loopback port, with the filesystem backend and fixed credentials. A separate process because
 * its jetty, jclouds and guava would clash with node's classpath. {@link #stop} and {@link #start} again keep the
 * port and the data, so a test can take the store away and bring it back.
 */
public final class S3ProxyProcess implements AutoCloseable {
  public static final String ACCESS_KEY = "jlivepeer-test";
  public static final String SECRET = "s3cr3t/with+chars";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static S3ProxyProcess shared;

  private final Path dir;
  private final int port;
  private Process process;

  private S3ProxyProcess(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** One server for every test of this JVM that only needs a bucket (started once, stopped at exit). */
  public static synchronized S3ProxyProcess shared() throws IOException {
    if (shared == null) {
      Path dir = Files.createTempDirectory("s3proxy-shared");
      shared = new S3ProxyProcess(dir, freePort());
      shared.start();
      S3ProxyProcess s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
    }
    return shared;
  }

  /** A server of the caller's own (for tests that stop it). */
  public static S3ProxyProcess startNew(Path dir) throws IOException {
    S3ProxyProcess s = new S3ProxyProcess(dir, freePort());
    s.start();
    return s;
  }

  public int port() {
    return port;
  }

  /** Creates a bucket (a folder of the filesystem backend) and returns the store URL of it. */
  public String bucket(String name) throws IOException {
    Files.createDirectories(dir.resolve("data").resolve(name));
    return url(name);
  }

  /** The store URL of a bucket, credentials included (the secret percent-encoded). */
  public String url(String bucket) {
    return "s3+http://" + ACCESS_KEY + ":" + SECRET.replace("/", "%2F").replace("+", "%2B") + "@127.0.0.1:" + port
        + "/" + bucket;
  }

  public synchronized void start() throws IOException {
    Files.createDirectories(dir.resolve("data"));
    Path props = dir.resolve("s3proxy.properties");
    Files.writeString(props, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET,
        "jclouds.provider=filesystem-nio2",
        "jclouds.filesystem.basedir=" + dir.resolve("data")) + "\n");
    Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing; the node build copies it in generate-test-resources");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
        "--properties", props.toString()))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("s3proxy.log").toFile())
        .start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("s3proxy exited with " + process.exitValue() + ": "
            + Files.readString(dir.resolve("s3proxy.log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    stop();
    throw new IllegalStateException("s3proxy did not listen on port " + port + " within " + START_TIMEOUT);
  }

  public synchronized void stop() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
