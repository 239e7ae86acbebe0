package io.jlivepeer.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The node's flags, named as in the reference node (single dash, camelCase) so its operators feel at home.
 * Defaults are the reference node's for the broadcaster role (shared/spec/media.md "Ingest").
 */
final class NodeFlags {
  @Option(names = {"-broadcaster", "--broadcaster"}, arity = "0..1", fallbackValue = "true",
      description = "Run as a broadcaster (ingest, transcode, serve HLS). Default: ${DEFAULT-VALUE}")
  boolean broadcaster;

  @Option(names = {"-gateway", "--gateway"}, arity = "0..1", fallbackValue = "true",
      description = "Same as -broadcaster (the reference node's newer name).")
  boolean gateway;

  @Option(names = {"-orchestrator", "--orchestrator"}, arity = "0..1", fallbackValue = "true",
      description = "Run as an orchestrator: serve broadcasters on -serviceAddr (gRPC + HTTPS, one TLS port).")
  boolean orchestrator;

  @Option(names = {"-transcoder", "--transcoder"}, arity = "0..1", fallbackValue = "true",
      description = "With -orchestrator: transcode on this machine. Alone: a remote transcoder for -orchAddr.")
  boolean transcoder;

  @Option(names = {"-redeemer", "--redeemer"}, arity = "0..1", fallbackValue = "true",
      description = "Run a ticket redemption service for orchestrators (-redeemerAddr): it stores their winning tickets"
          + " and redeems them on chain with this node's account; listens on -httpAddr (TLS gRPC).")
  boolean redeemer;

  @Option(names = {"-redeemerAddr", "--redeemerAddr"}, defaultValue = "", paramLabel = "host:port",
      description = "Orchestrator: hand winning tickets to the redeemer at this address instead of redeeming them"
          + " here, and take senders' max float from it. Default: none.")
  String redeemerAddr;

  @Option(names = {"-serviceAddr", "--serviceAddr"}, defaultValue = "127.0.0.1:8935", paramLabel = "host:port",
      description = "Orchestrator's public service address (TLS; gRPC and HTTPS). Default: ${DEFAULT-VALUE}")
  String serviceAddr;

  @Option(names = {"-orchSecret", "--orchSecret"}, defaultValue = "", paramLabel = "secret",
      description = "Orchestrator secret: shared with remote transcoders; also keys the auth tokens.")
  String orchSecret;

  @Option(names = {"-pricePerUnit", "--pricePerUnit"}, defaultValue = "0",
      description = "Orchestrator's price in wei per -pixelsPerUnit pixels. Default: ${DEFAULT-VALUE}")
  long pricePerUnit;

  @Option(names = {"-pixelsPerUnit", "--pixelsPerUnit"}, defaultValue = "1",
      description = "Pixels the price is quoted for. Default: ${DEFAULT-VALUE}")
  long pixelsPerUnit;

  @Option(names = {"-rtmpAddr", "--rtmpAddr"}, defaultValue = "127.0.0.1:1935", paramLabel = "host:port",
      description = "Where to accept RTMP publishers. Default: ${DEFAULT-VALUE}")
  String rtmpAddr;

  @Option(names = {"-httpAddr", "--httpAddr"}, defaultValue = "127.0.0.1:9935", paramLabel = "host:port",
      description = "HLS playback and HTTP segment push (/live/<id>/<seq>.ts); with -redeemer, where orchestrators"
          + " reach the redeemer. Default: ${DEFAULT-VALUE}")
  String httpAddr;

  @Option(names = {"-transcodingOptions", "--transcodingOptions"}, defaultValue = "P240p30fps16x9,P360p30fps16x9",
      paramLabel = "profiles|file.json",
      description = "Renditions: comma-separated profile names, 'standard' for the benchmark ladder, or a JSON"
          + " profile file. Default: ${DEFAULT-VALUE}")
  String transcodingOptions;

  @Option(names = {"-orchAddr", "--orchAddr"}, paramLabel = "host:port,...",
      description = "Broadcaster: send segments to these orchestrators instead of transcoding locally "
          + "(comma-separated host:port list). Transcoder: the orchestrator to work for. Default: none.")
  String orchAddr;

  @Option(names = {"-orchWebhookUrl", "--orchWebhookUrl"}, paramLabel = "url",
      description = "Broadcaster: GET this URL at start and every minute for a JSON list of orchestrators "
          + "[{\"address\":\"https://host:port\"}, ...] to add to -orchAddr. Entries are untrusted (used only when "
          + "every trusted -orchAddr one fails) unless they say \"trusted\": true or -orchWebhookTrusted is set.")
  String orchWebhookUrl;

  @Option(names = {"-orchWebhookTrusted", "--orchWebhookTrusted"}, arity = "0..1", fallbackValue = "true",
      description = "Treat -orchWebhookUrl entries without a \"trusted\" field as trusted. Default: ${DEFAULT-VALUE}")
  boolean orchWebhookTrusted;

  @Option(names = {"-monitor", "--monitor"}, arity = "0..1", fallbackValue = "true",
      description = "Transcoder: serve Prometheus metrics at http://<-cliAddr>/metrics (broadcasters serve them on "
          + "-httpAddr, orchestrators on -serviceAddr, always). Default: ${DEFAULT-VALUE}")
  boolean monitor;

  @Option(names = {"-maxAttempts", "--maxAttempts"}, defaultValue = "3",
      description = "Broadcaster with -orchAddr: most segment requests per segment, over all orchestrators. "
          + "Default: ${DEFAULT-VALUE}")
  int maxAttempts;

  @Option(names = {"-verificationFreq", "--verificationFreq"}, defaultValue = "0", paramLabel = "fraction",
      description = "Broadcaster with -orchAddr: fraction of segments (0 to 1) whose renditions are verified beyond O's"
          + " signature: decoded, size, frames, duration, charged pixels, and compared with a re-transcode on this"
          + " machine. A cheater is suspended and the segment redone elsewhere. Default: ${DEFAULT-VALUE} (off)")
  double verificationFreq;

  @Option(names = {"-slashOnFault", "--slashOnFault"}, arity = "0..1", fallbackValue = "true",
      description = "Broadcaster on chain: prove each verification fault to the Verifier contract, which slashes the"
          + " orchestrator's stake and pays this account the finder's fee (the account must be a registered"
          + " verifier). Default: ${DEFAULT-VALUE}")
  boolean slashOnFault;

  @Option(names = {"-testCheat", "--testCheat"}, hidden = true, defaultValue = "",
      description = "Tests only: an orchestrator that tampers with its renditions (watermark, lowres, dropframes,"
          + " othersegment).")
  String testCheat;

  @Option(names = {"-p2pAddr", "--p2pAddr"}, paramLabel = "host",
      description = "Broadcaster: also deliver every stream to viewers' peers over PPSPP (UDP on this host, one port"
          + " per stream; tracker at /p2p/<stream> on -httpAddr; see 'livepeer peer'). Default: off")
  String p2pAddr;

  @Option(names = {"-maxSessions", "--maxSessions"}, defaultValue = "10",
      description = "Most streams transcoded at once; more publishers are refused. Default: ${DEFAULT-VALUE}")
  int maxSessions;

  @Option(names = {"-dataDir", "--dataDir", "-datadir", "--datadir"}, paramLabel = "dir",
      description = "Where the node keeps its data (segments, keys). Default: ~/.lpData")
  Path dataDir;

  @Option(names = {"-segmentDuration", "--segmentDuration"}, defaultValue = "2s",
      description = "Target segment duration (cut at the next keyframe after it). Default: ${DEFAULT-VALUE}")
  String segmentDuration;

  @Option(names = {"-objectStore", "--objectStore"}, defaultValue = "", paramLabel = "url",
      description = "Broadcaster: also write every live segment and playlist to this object store:"
          + " s3+http(s)://<accessKey>:<secret>@<host>[:<port>]/<bucket>[/<prefix>][?region=<r>] or"
          + " file:///<folder>. Uploads never hold up live HLS; failures are retried and logged."
          + " See docs/object-stores.md.")
  String objectStore;

  @Option(names = {"-recordObjectStore", "--recordObjectStore"}, defaultValue = "", paramLabel = "url",
      description = "Broadcaster: record each stream session into this object store (same URL forms as"
          + " -objectStore) as VOD HLS <stream>/<session>/index.m3u8, also served by B under /recordings/.")
  String recordObjectStore;

  @Option(names = {"-config", "--config"}, paramLabel = "file",
      description = "Read flags from a file: one 'flagName value' per line.")
  Path config;

  @Option(names = {"-v", "--v"}, defaultValue = "3",
      description = "Log verbosity: 3 = info, 5 = debug, 6 = trace. Default: ${DEFAULT-VALUE}")
  int verbosity;

  Path dataDirOrDefault() {
    return dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".lpData");
  }
}
