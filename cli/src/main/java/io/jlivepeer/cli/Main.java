package io.jlivepeer.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.broadcaster.BroadcasterConfig;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import io.jlivepeer.node.broadcaster.FaultLog;
import io.jlivepeer.node.broadcaster.FaultReporter;
import io.jlivepeer.node.broadcaster.RemoteConfig;
import io.jlivepeer.node.broadcaster.RemoteTranscoder;
import io.jlivepeer.node.broadcaster.Verification;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/** Entry point of the {@code livepeer} command: the node itself, plus subcommands (demo, bench, ...). */
@Command(
    name = "livepeer",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    sortOptions = false,
    description = {
        "jlivepeer: a Livepeer node in Java.",
        "Run a broadcaster that transcodes locally:  livepeer -broadcaster -transcodingOptions P360p30fps16x9",
        "Run a broadcaster that uses orchestrators:  livepeer -broadcaster -orchAddr 127.0.0.1:8935,10.0.0.2:8935",
        "Try the whole thing on this machine:        livepeer demo"})
public final class Main implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Mixin NodeFlags flags = new NodeFlags();
  @Mixin PaymentFlags payFlags = new PaymentFlags();

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    CommandLine cl;
    try {
      cl = commandLine(FlagSources.forArgs(args, System.getenv()));
    } catch (CliException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    return cl.execute(args);
  }

  /** The command line with no environment or config file behind it (tests). */
  static CommandLine commandLine() {
    return commandLine(new FlagSources(java.util.Map.of(), java.util.Map.of()));
  }

  static CommandLine commandLine(FlagSources sources) {
    CommandLine cl = new CommandLine(new Main());
    cl.addSubcommand(new DemoCommand());
    cl.addSubcommand(new BenchCommand());
    // Subcommands are added here, one line each.
    cl.addSubcommand(new ChainNodeCommand());
    cl.addSubcommand(new CliCommand());
    cl.addSubcommand(new DevchainCommand());
    cl.addSubcommand(new PeerCommand());
    cl.setDefaultValueProvider(sources);
    // "-ethPassword devchain" (the dev chain's password) must not be read as the `devchain` subcommand
    cl.setAllowSubcommandsAsOptionParameters(true);
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof CliException || e instanceof MediaException || e instanceof IllegalArgumentException
          || e instanceof io.jlivepeer.node.NodeException || e instanceof ChainUsageException
          || e instanceof io.jlivepeer.chain.ChainException || e instanceof io.jlivepeer.payments.PaymentsException
          || e instanceof io.jlivepeer.p2p.P2pException) {
        commandLine.getErr().println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cl;
  }

  @Override
  public Integer call() throws InterruptedException {
    setVerbosity(flags.verbosity);
    if (flags.redeemer) {
      return runRedeemer();
    }
    if (flags.orchestrator) {
      return runOrchestrator();
    }
    if (flags.transcoder) {
      return runTranscoder();
    }
    if (!flags.broadcaster && !flags.gateway) {
      System.err.println("Choose a role: -broadcaster (ingest, transcode, serve HLS) or -orchestrator -transcoder."
          + " Or try 'livepeer demo'. See 'livepeer --help'.");
      return 2;
    }
    if (!remoteMode(flags) && (flags.verificationFreq > 0 || flags.slashOnFault)) {
      System.err.println("-verificationFreq and -slashOnFault check orchestrators' work; this broadcaster transcodes"
          + " locally (no -orchAddr or -orchWebhookUrl), so they do nothing.");
    }
    BroadcasterConfig config = broadcasterConfig(flags);
    Optional<NodePayments> chain = !remoteMode(flags) ? Optional.empty()
        : NodePayments.start(payFlags, config.dataDir());
    Optional<RemoteTranscoder> remote;
    try {
      remote = remoteTranscoder(flags, config, chain.map(c -> c.broadcaster(flags.pixelsPerUnit)), chain);
      remote.ifPresent(r -> chain.ifPresent(c -> c.chain().serveFaults(r.verification().faults()::json)));
    } catch (RuntimeException e) {
      chain.ifPresent(NodePayments::close);
      throw e;
    }
    Transcoder transcoder = remote.<Transcoder>map(r -> r).orElseGet(FfmpegTranscoder::new);
    try (Discovery discovery = Discovery.start(flags, remote);
        BroadcasterNode node = BroadcasterNode.start(config, transcoder, storeSetup(flags),
            PeerCommand.origin(flags.p2pAddr))) {
      chain.ifPresent(c -> node.studio().account(ChainAccount.of(c.chain().client(), c.address())));
      discovery.describe().ifPresent(System.out::println);
      System.out.printf("Publish: rtmp://%s:%d/live/<streamName>%n", printableHost(node.rtmpAddress().getHostString()),
          node.rtmpAddress().getPort());
      System.out.printf("Play:    http://%s:%d/stream/<streamName>.m3u8%n",
          printableHost(node.httpAddress().getHostString()), node.httpAddress().getPort());
      node.objectStores().liveQueue().ifPresent(q -> System.out.printf("Live copy: %s%n", q.store().describe()));
      node.objectStores().recordQueue().ifPresent(q -> System.out.printf(
          "Record:  %s; play a recording at http://%s:%d/recordings/<streamName>/<sessionId>/index.m3u8%n",
          q.store().describe(), printableHost(node.httpAddress().getHostString()), node.httpAddress().getPort()));
      awaitShutdown();
    } finally {
      remote.ifPresent(RemoteTranscoder::close);
      chain.ifPresent(NodePayments::close);
    }
    return 0;
  }

  private int runOrchestrator() throws InterruptedException {
    var address = HostPort.parse("serviceAddr", flags.serviceAddr);
    var config = io.jlivepeer.node.orchestrator.OrchestratorConfig.defaults(address.getHostString(), address.getPort(),
            flags.dataDirOrDefault(), flags.orchSecret)
        .withMaxSessions(flags.maxSessions).withPrice(flags.pricePerUnit, flags.pixelsPerUnit)
        .withLocalTranscoding(flags.transcoder);
    Optional<NodePayments> chain = NodePayments.start(payFlags, config.dataDir());
    if (chain.isEmpty() && !flags.redeemerAddr.isBlank()) {
      System.err.println("-redeemerAddr needs a chain (tickets are only paid on chain): add -network devchain or"
          + " -ethUrl/-ethController, or drop -redeemerAddr to run free.");
      return 2;
    }
    if (chain.isEmpty()) {
      try (var node = io.jlivepeer.node.orchestrator.OrchestratorNode.start(config, transcoderFor(flags))) {
        System.out.println("Orchestrator serving broadcasters at " + node.transcoderUrl() + " (gRPC + HTTPS)"
            + (flags.transcoder ? "; transcoding locally" : "; waiting for remote transcoders (-orchSecret)"));
        awaitShutdown();
      }
      return 0;
    }
    try (NodePayments c = chain.get();
        var payments = c.orchestrator(flags.pricePerUnit, flags.pixelsPerUnit, config.dataDir(), flags.redeemerAddr);
        var node = io.jlivepeer.node.orchestrator.OrchestratorNode.start(config, transcoderFor(flags), payments)) {
      System.out.println("Orchestrator " + payments.recipient() + " serving broadcasters at " + node.transcoderUrl()
          + " (gRPC + HTTPS), paid with tickets at " + flags.pricePerUnit + " wei per " + flags.pixelsPerUnit
          + " pixels" + (flags.transcoder ? "; transcoding locally" : "; waiting for remote transcoders (-orchSecret)"));
      awaitShutdown();
    }
    return 0;
  }

  /** The orchestrator's transcoder: FFmpeg, or with the hidden -testCheat one that tampers with what it returns. */
  private static Transcoder transcoderFor(NodeFlags flags) {
    if (flags.testCheat.isBlank()) {
      return new FfmpegTranscoder();
    }
    log.warn("-testCheat {}: this orchestrator tampers with its renditions (tests of verification only)",
        flags.testCheat);
    return io.jlivepeer.node.orchestrator.CheatingTranscoder.of(flags.testCheat, new FfmpegTranscoder());
  }

  /** {@code -redeemer}: the ticket redemption service for orchestrators started with {@code -redeemerAddr}. */
  private int runRedeemer() throws InterruptedException {
    if (!payFlags.onChain()) {
      System.err.println("A redeemer redeems tickets on chain: add -network devchain (or -ethUrl and -ethController)"
          + " and the account that pays the gas (-ethKeystorePath/-ethAcctAddr, -ethPassword).");
      return 2;
    }
    var listen = HostPort.parse("httpAddr", flags.httpAddr);
    try (NodePayments c = NodePayments.start(payFlags, flags.dataDirOrDefault()).orElseThrow();
        var redeemer = c.redeemer(listen, flags.dataDirOrDefault())) {
      System.out.println("Redeemer for orchestrator " + redeemer.recipient() + " listening on "
          + printableHost(redeemer.address().getHostString()) + ":" + redeemer.address().getPort()
          + " (TLS gRPC net.TicketRedeemer); start orchestrators with -redeemerAddr "
          + printableHost(redeemer.address().getHostString()) + ":" + redeemer.address().getPort());
      awaitShutdown();
    }
    return 0;
  }

  private int runTranscoder() throws InterruptedException {
    if (flags.orchAddr == null || flags.orchAddr.isBlank() || flags.orchSecret.isBlank()) {
      System.err.println("A remote transcoder needs its orchestrator: -transcoder -orchAddr host:port -orchSecret <secret>");
      return 2;
    }
    var config = io.jlivepeer.node.transcoder.TranscoderConfig.of(flags.orchAddr.strip(), flags.orchSecret, flags.maxSessions);
    try (var node = io.jlivepeer.node.transcoder.TranscoderNode.start(config, new FfmpegTranscoder());
        var metrics = Discovery.transcoderMetrics(flags, payFlags.cliAddr, node)) {
      System.out.println("Transcoder for " + flags.orchAddr + " (" + flags.maxSessions + " sessions); Ctrl-C to stop");
      metrics.describe().ifPresent(System.out::println);
      Thread hook = new Thread(node::close, "transcoder-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      node.await(); // returns after Ctrl-C; throws when the orchestrator refuses us for good (wrong secret)
      return 0;
    }
  }

  /** With -orchAddr or -orchWebhookUrl, B sends segments to orchestrators; without both, it transcodes locally. */
  static Optional<RemoteTranscoder> remoteTranscoder(NodeFlags flags, BroadcasterConfig config) {
    return remoteTranscoder(flags, config, Optional.empty());
  }

  /** As above; with payments, B pays the orchestrators with tickets. */
  static Optional<RemoteTranscoder> remoteTranscoder(NodeFlags flags, BroadcasterConfig config,
      Optional<io.jlivepeer.node.broadcaster.BroadcasterPayments> payer) {
    if (!remoteMode(flags)) {
      return Optional.empty();
    }
    List<String> addrs = flags.orchAddr == null ? List.of() : Arrays.stream(flags.orchAddr.split(","))
        .map(String::strip).filter(a -> !a.isEmpty()).toList();
    RemoteConfig remote = RemoteConfig.defaults(addrs, config.dataDir()).withMaxAttempts(flags.maxAttempts);
    return Optional.of(RemoteTranscoder.start(remote, config.profiles(), payer,
        verification(flags, config, Optional.empty())));
  }

  /** As above, with the chain side that proves faults when -slashOnFault is on. */
  static Optional<RemoteTranscoder> remoteTranscoder(NodeFlags flags, BroadcasterConfig config,
      Optional<io.jlivepeer.node.broadcaster.BroadcasterPayments> payer, Optional<NodePayments> chain) {
    if (!remoteMode(flags)) {
      return Optional.empty();
    }
    List<String> addrs = flags.orchAddr == null ? List.of() : Arrays.stream(flags.orchAddr.split(","))
        .map(String::strip).filter(a -> !a.isEmpty()).toList();
    RemoteConfig remote = RemoteConfig.defaults(addrs, config.dataDir()).withMaxAttempts(flags.maxAttempts);
    return Optional.of(RemoteTranscoder.start(remote, config.profiles(), payer, verification(flags, config, chain)));
  }

  /** -verificationFreq and -slashOnFault: B re-transcodes sampled segments itself, the trusted reference. */
  static Verification verification(NodeFlags flags, BroadcasterConfig config, Optional<NodePayments> chain) {
    if (flags.slashOnFault && chain.isEmpty()) {
      throw new CliException("-slashOnFault proves faults on chain: add -network devchain (or -ethUrl and"
          + " -ethController) and the broadcaster's account, or drop -slashOnFault");
    }
    if (flags.slashOnFault && flags.verificationFreq <= 0) {
      throw new CliException("-slashOnFault needs -verificationFreq above 0: only verified segments can prove a fault");
    }
    if (flags.verificationFreq <= 0) {
      return Verification.off();
    }
    Optional<FaultReporter> reporter = flags.slashOnFault ? chain.map(NodePayments::faultReporter) : Optional.empty();
    return Verification.of(flags.verificationFreq, Optional.of(new FfmpegTranscoder()),
        new FaultLog(Optional.of(config.dataDir())), reporter);
  }

  /** B sends segments to orchestrators (-orchAddr, -orchWebhookUrl or both) instead of transcoding locally. */
  static boolean remoteMode(NodeFlags flags) {
    return (flags.orchAddr != null && !flags.orchAddr.isBlank())
        || (flags.orchWebhookUrl != null && !flags.orchWebhookUrl.isBlank());
  }

  static BroadcasterConfig broadcasterConfig(NodeFlags flags) {
    List<VideoProfile> profiles = profiles(flags.transcodingOptions);
    Duration segment = Durations.parse("segmentDuration", flags.segmentDuration);
    return new BroadcasterConfig(HostPort.parse("rtmpAddr", flags.rtmpAddr), HostPort.parse("httpAddr", flags.httpAddr),
        profiles, flags.dataDirOrDefault(), flags.maxSessions, segment, BroadcasterConfig.DEFAULT_MAX_QUEUED_SEGMENTS,
        BroadcasterConfig.DEFAULT_PLAYLIST_WINDOW);
  }

  static List<VideoProfile> profiles(String option) {
    return option.strip().equalsIgnoreCase("standard") ? VideoProfiles.standardLadder() : VideoProfiles.parse(option);
  }

  static String printableHost(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0") ? "localhost" : host;
  }

  /** -objectStore / -recordObjectStore; without the stream API every stream is recorded. */
  static io.jlivepeer.node.store.StoreSetup storeSetup(NodeFlags flags) {
    io.jlivepeer.node.store.StoreSetup setup = io.jlivepeer.node.store.StoreSetup.none();
    if (!flags.objectStore.isBlank()) {
      setup = setup.withObjectStore(flags.objectStore);
    }
    if (!flags.recordObjectStore.isBlank()) {
      setup = setup.withRecordObjectStore(flags.recordObjectStore);
    }
    return setup;
  }

  /** Blocks until Ctrl-C / SIGTERM; try-with-resources then closes the node. */
  static void awaitShutdown() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    Thread main = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.countDown();
      try {
        main.join(10_000); // let the node close cleanly before the JVM exits
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "shutdown"));
    stop.await();
    log.info("shutting down");
  }

  static void setVerbosity(int v) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      Level level = v >= 6 ? Level.TRACE : v >= 5 ? Level.DEBUG : v <= 1 ? Level.WARN : Level.INFO;
      ctx.getLogger("io.jlivepeer").setLevel(level);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"jlivepeer " + (v == null ? "dev" : v)};
    }
  }
}
