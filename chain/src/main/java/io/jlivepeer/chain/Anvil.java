package io.jlivepeer.chain;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A local anvil chain in a child process, bound to 127.0.0.1 on a free port. {@link #start} returns once
 * the JSON-RPC endpoint answers; {@link #close} stops the process.
 *
 * <p>The binary comes from the npm toolchain in {@code contracts/} ({@code npm ci} installs
 * {@code @foundry-rs/anvil-linux-amd64}); see {@link #locateBinary()} for the search order.
 */
public final class Anvil implements AutoCloseable {
    /** System property naming the anvil executable explicitly. */
    public static final String BINARY_PROPERTY = "jlivepeer.anvil";

    private static final String NPM_PACKAGE_DIR = "contracts/node_modules/@foundry-rs";
    private static final int START_ATTEMPTS = 3;

    private final Process process;
    private final int port;
    private final long chainId;
    private final Path log;

    private Anvil(Process process, int port, long chainId, Path log) {
        this.process = process;
        this.port = port;
        this.chainId = chainId;
        this.log = log;
    }

    /** Starts anvil and waits until it answers {@code eth_chainId}. */
    public static Anvil start(AnvilConfig config) {
        Path binary = config.binary().orElseGet(Anvil::locateBinary);
        ChainException last = null;
        // The port is picked by binding port 0 and released before anvil binds it: another process can
        // take it in between, so a failed bind is retried on a fresh port.
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            try {
                return startOnce(binary, freePort(), config);
            } catch (ChainException e) {
                last = e;
            }
        }
        throw last;
    }

    private static Anvil startOnce(Path binary, int port, AnvilConfig config) {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--host", "127.0.0.1",
                "--port", Integer.toString(port),
                "--chain-id", Long.toString(config.chainId()),
                "--accounts", Integer.toString(config.accounts())));
        config.blockTime().ifPresent(t -> command.addAll(List.of("--block-time", Long.toString(t.toSeconds()))));
        Path log;
        Process process;
        try {
            log = Files.createTempFile("anvil-" + port + "-", ".log");
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new ChainException("cannot start anvil (" + binary + "): " + e.getMessage()
                    + ". Check that the file is an executable anvil binary.", e);
        }
        Anvil anvil = new Anvil(process, port, config.chainId(), log);
        try {
            anvil.awaitRpc(config.startTimeout());
            return anvil;
        } catch (RuntimeException e) {
            anvil.close();
            throw e;
        }
    }

    private void awaitRpc(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(rpcUrl()))
                .timeout(Duration.ofSeconds(2))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new ChainException("anvil exited with code " + process.exitValue()
                        + " before answering on port " + port + ": " + logTail());
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"result\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChainException("interrupted while waiting for anvil to start", e);
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChainException("interrupted while waiting for anvil to start", e);
            }
        }
        throw new ChainException("anvil did not answer JSON-RPC on " + rpcUrl() + " within " + timeout
                + ": " + logTail());
    }

    private String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(no output)" : text.substring(Math.max(0, text.length() - 800));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    /**
     * Finds the anvil executable: the {@value #BINARY_PROPERTY} system property, then the
     * {@code JLIVEPEER_ANVIL} environment variable, then the npm-installed binary under
     * {@code contracts/node_modules} in the working directory or any parent, then {@code anvil} on the PATH.
     *
     * @throws ChainException naming the fix when none is found
     */
    public static Path locateBinary() {
        Optional<Path> explicit = Optional.ofNullable(System.getProperty(BINARY_PROPERTY))
                .or(() -> Optional.ofNullable(System.getenv("JLIVEPEER_ANVIL")))
                .map(Path::of);
        if (explicit.isPresent()) {
            if (Files.isExecutable(explicit.get())) {
                return explicit.get();
            }
            throw new ChainException("the anvil binary " + explicit.get() + " (from -D" + BINARY_PROPERTY
                    + " or JLIVEPEER_ANVIL) does not exist or is not executable");
        }
        String platformPackage = "anvil-" + platform();
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(NPM_PACKAGE_DIR).resolve(platformPackage).resolve("bin").resolve("anvil");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                Path candidate = Path.of(entry, "anvil");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new ChainException("anvil not found. Install the contracts toolchain: `npm ci` in contracts/"
                + " (needs Node.js and npm; `./mvnw -pl chain -am verify` runs it), or point -D"
                + BINARY_PROPERTY + " at an anvil binary. Looked for " + NPM_PACKAGE_DIR + "/" + platformPackage
                + "/bin/anvil from " + Path.of("").toAbsolutePath() + " upwards and on the PATH.");
    }

    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.contains("mac") ? "darwin" : os.contains("win") ? "win32" : "linux";
        String archName = arch.contains("aarch64") || arch.contains("arm64") ? "arm64" : "amd64";
        return osName + "-" + archName;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new ChainException("no free loopback port for anvil: " + e.getMessage(), e);
        }
    }

    /**
     * Switches to interval mining (a block every {@code interval}, at least one second) at run time: deploy
     * fast with automine, then let rounds pass on their own.
     */
    public void setIntervalMining(Duration interval) {
        if (interval.toSeconds() < 1) {
            throw new IllegalArgumentException("interval must be at least one second: " + interval);
        }
        rpc("evm_setIntervalMining", "[" + interval.toSeconds() + "]");
    }

    /** Mines {@code blocks} empty blocks at once (anvil_mine). */
    public void mine(long blocks) {
        if (blocks < 0) {
            throw new IllegalArgumentException("blocks must not be negative: " + blocks);
        }
        if (blocks > 0) {
            rpc("anvil_mine", "[\"0x" + Long.toHexString(blocks) + "\"]");
        }
    }

    private void rpc(String method, String params) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(rpcUrl()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"))
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200 || response.body().contains("\"error\"")) {
                throw new ChainException("anvil rejected " + method + ": " + response.body());
            }
        } catch (IOException e) {
            throw new ChainException("anvil on " + rpcUrl() + " is unreachable (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChainException("interrupted while calling anvil " + method, e);
        }
    }

    /** The JSON-RPC endpoint, {@code http://127.0.0.1:<port>}. */
    public String rpcUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long chainId() {
        return chainId;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a leftover temp log is harmless
        }
    }
}
