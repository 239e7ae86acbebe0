package io.jlivepeer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code livepeer cli <command> [name=value ...]}: calls a running node's CLI HTTP API for a person, e.g.
 * {@code livepeer cli bond amount=100LPT toAddr=0x...} or {@code livepeer cli delegatorInfo}.
 */
@Command(
    name = "cli",
    mixinStandardHelpOptions = true,
    description = "Call a running node's CLI API (staking, rounds, deposit). Without a command: list the commands.")
final class CliCommand implements Callable<Integer> {
  @Option(names = "-cliAddr", defaultValue = "127.0.0.1:7935", description = "The node's CLI API address. Default: ${DEFAULT-VALUE}.")
  String cliAddr = "127.0.0.1:7935";

  @Parameters(index = "0", arity = "0..1", description = "The command: an API endpoint such as bond, unbond, delegatorInfo.")
  String command = "";

  @Parameters(index = "1..*", arity = "0..*", description = "Parameters as name=value (amounts in wei or with a unit: 10LPT, 0.5ETH).")
  List<String> args = new ArrayList<>();

  @Option(names = {"-dataDir", "-datadir"}, paramLabel = "dir",
      description = "apikey only: the broadcaster's data dir, where the key's hash is stored. Default: ~/.lpData")
  java.nio.file.Path dataDir;

  @Spec CommandSpec spec;

  private static final String USAGE_HINTS = """
        bond                   amount=<wei|10LPT> toAddr=<orchestrator>
        unbond                 amount=<wei|10LPT>
        rebond                 unbondingLockId=<id> [toAddr=<orchestrator>]
        withdrawStake          unbondingLockId=<id>
        withdrawFees           [amount=<wei>] [recipient=<address>]
        claimEarnings          [endRound=<round>]
        activateOrchestrator   blockRewardCut=<percent> feeShare=<percent> serviceURI=<https://host:port> [amount=<wei|LPT>]
        setServiceURI          serviceURI=<https://host:port>
        reward | initializeRound
        fundDepositAndReserve  depositAmount=<wei|ETH> reserveAmount=<wei|ETH>
        unlock | cancelUnlock | withdraw
        delegatorInfo | transcoderInfo | senderInfo   [addr=<address>]
        protocolParameters | registeredOrchestrators | currentRound | ethAddr | contractAddresses
        faults                 (a broadcaster with -verificationFreq: the faults found, with evidence)
        apikey                 [name=<label>] [-dataDir <broadcaster's data dir>]  (stream API key; docs/api.md)
      """;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (command.isBlank()) {
      out.println("commands (livepeer cli <command> name=value ...):");
      out.print(USAGE_HINTS);
      out.flush();
      return 0;
    }
    if (command.equals("apikey")) {
      return apiKey(out, err);
    }
    String method = ChainApiServer.ENDPOINTS.get(command);
    if (method == null) {
      err.println("error: unknown command \"" + command + "\"; known: " + String.join(", ", ChainApiServer.ENDPOINTS.keySet()));
      err.flush();
      return 2;
    }
    StringBuilder form = new StringBuilder();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        err.println("error: parameters are name=value, got \"" + a + "\"");
        err.flush();
        return 2;
      }
      if (!form.isEmpty()) {
        form.append('&');
      }
      form.append(URLEncoder.encode(a.substring(0, eq), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(a.substring(eq + 1), StandardCharsets.UTF_8));
    }
    String base = "http://" + cliAddr.strip();
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      HttpRequest.Builder req;
      if (method.equals("GET")) {
        req = HttpRequest.newBuilder(URI.create(base + "/" + command + (form.isEmpty() ? "" : "?" + form))).GET();
      } else {
        req = HttpRequest.newBuilder(URI.create(base + "/" + command))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
      }
      HttpResponse<String> resp = http.send(req.timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        err.println("error: " + errorText(resp.body(), resp.statusCode()));
        err.flush();
        return 1;
      }
      out.println(resp.body());
      out.flush();
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("error: -cliAddr: not host:port: \"" + cliAddr + "\"");
    } catch (IOException e) {
      err.println("error: cannot reach the node's CLI API at " + base + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
          + "); is the node running? check -cliAddr");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted");
    }
    err.flush();
    return 1;
  }

  /**
   * Creates a stream API key in the broadcaster's data dir (not over HTTP: whoever can write the data dir owns the
   * node, so no bootstrap key is needed). A running B sees it at once for requests and within 5 s for enforcing
   * stream keys. The key goes alone to stdout, for scripts; the hint to stderr.
   */
  private int apiKey(PrintWriter out, PrintWriter err) {
    String name = "cli";
    for (String a : args) {
      if (!a.startsWith("name=") || a.length() == 5) {
        err.println("error: apikey takes only name=<label>, got \"" + a + "\"");
        err.flush();
        return 2;
      }
      name = a.substring(5);
    }
    java.nio.file.Path dir = dataDir != null ? dataDir
        : java.nio.file.Path.of(System.getProperty("user.home"), ".lpData");
    String key = io.jlivepeer.node.studio.ApiKeys.create(dir, name, java.time.Clock.systemUTC());
    out.println(key);
    out.flush();
    err.println("API key \"" + name + "\" created in " + dir.toAbsolutePath() + " (only its hash is kept: copy it now)."
        + " Use it as 'Authorization: Bearer <key>'. From now on this broadcaster accepts RTMP publishes only to"
        + " stream keys of its API streams.");
    err.flush();
    return 0;
  }

  private static String errorText(String body, int status) {
    try {
      JsonNode n = ChainApiServer.JSON.readTree(body);
      if (n != null && n.path("error").isTextual()) {
        return n.path("error").asText();
      }
    } catch (IOException e) {
      // Not JSON: show it as it came.
    }
    return "HTTP " + status + ": " + body;
  }
}
