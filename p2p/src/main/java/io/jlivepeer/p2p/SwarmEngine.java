package io.jlivepeer.p2p;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a live PPSPP swarm over UDP: the injector (role {@link Role#SEED}: holds everything, never
 * requests) or a viewer's peer. One platform thread owns the socket and all state; other threads hand it work
 * through a queue ({@link #connect}, {@link #inject}). See docs/p2p.md for the message flow.
 */
public final class SwarmEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SwarmEngine.class);

  public enum Role { SEED, PEER }

  private final SwarmConfig config;
  private final Role role;
  private final byte[] swarmId;
  private final LiveSigner.Verifier verifier;
  private final SwarmMetrics metrics;
  private final LongSupplier micros;
  private final Optional<InetSocketAddress> origin;
  private final IntConsumer onChunk;
  private final DatagramChannel socket;
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final MessageDigest md = Merkle.sha256();
  private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(DatagramCodec.MAX_DATAGRAM_BYTES + 1);

  // engine-thread state
  private final NavigableMap<Integer, MunroState> munros = new TreeMap<>();
  private final Map<Integer, Long> munroFirstHeard = new HashMap<>();
  private final Map<Integer, Long> munroPatience = new HashMap<>();
  /** Seed: when each munro was injected, and how often each of its fresh chunks was already served. */
  private final Map<Integer, Long> munroInjected = new HashMap<>();
  private final Map<Integer, Integer> freshCopies = new HashMap<>();
  private final Map<Integer, Channel> byId = new HashMap<>();
  private final Map<InetSocketAddress, Channel> byAddress = new HashMap<>();
  private final Map<Integer, Pending> requested = new HashMap<>();
  private final List<Integer> pendingHaves = new ArrayList<>();
  private int highest = -1;
  private int interestFrom = Integer.MAX_VALUE;
  private volatile boolean running = true;

  private record Pending(Channel channel, long atMicros) {}

  private SwarmEngine(SwarmConfig config, Role role, byte[] swarmId, SwarmMetrics metrics, LongSupplier micros,
      Optional<InetSocketAddress> origin, IntConsumer onChunk) throws IOException {
    this.config = config;
    this.role = role;
    this.swarmId = swarmId.clone();
    this.verifier = new LiveSigner.Verifier(swarmId);
    this.metrics = metrics;
    this.micros = micros;
    this.origin = origin;
    this.onChunk = onChunk;
    this.socket = DatagramChannel.open();
    socket.bind(config.bindAddress());
    socket.configureBlocking(false);
    this.selector = Selector.open();
    socket.register(selector, SelectionKey.OP_READ);
    this.thread = new Thread(this::loop, "p2p-" + role.name().toLowerCase(java.util.Locale.ROOT) + "-"
        + localAddress().getPort());
    thread.setDaemon(true);
  }

  /**
   * Starts an engine. {@code origin}: for a peer, the injector's UDP address (bytes from it count as origin bytes;
   * it is asked only as the seed of last resort). {@code onChunk} runs on the engine thread after each verified chunk.
   */
  public static SwarmEngine start(SwarmConfig config, Role role, byte[] swarmId, SwarmMetrics metrics,
      Optional<InetSocketAddress> origin, IntConsumer onChunk) {
    try {
      SwarmEngine e = new SwarmEngine(config, role, swarmId, metrics, () -> System.nanoTime() / 1000, origin,
          onChunk);
      e.thread.start();
      return e;
    } catch (IOException e) {
      throw new P2pException("cannot open the swarm's UDP socket on " + config.bindAddress() + ": " + e.getMessage()
          + " (is the port free?)", e);
    }
  }

  public InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) socket.getLocalAddress();
    } catch (IOException e) {
      throw new P2pException("swarm socket is closed", e);
    }
  }

  public SwarmMetrics metrics() {
    return metrics;
  }

  /** Opens a channel to {@code peer} (handshake) unless one exists or the channel limit is reached. */
  public void connect(InetSocketAddress peer) {
    submit(() -> open(peer));
  }

  /** Injector: adds signed munros (consecutive, complete content) and announces them. */
  void inject(List<MunroState> states) {
    submit(() -> {
      for (MunroState s : states) {
        munros.put(s.start(), s);
        munroInjected.put(s.start(), micros.getAsLong());
        for (int c = s.start(); c < s.start() + s.held(); c++) {
          pendingHaves.add(c);
          highest = Math.max(highest, c);
        }
        metrics.chunksInjected.addAndGet(s.held());
      }
      discardOld();
    });
  }

  /** Peer: fetch chunks from {@code chunk} on (the live edge when it joined); nothing earlier is requested. */
  public void interestFrom(int chunk) {
    submit(() -> interestFrom = Math.min(interestFrom, chunk));
  }

  /** Runs {@code reader} on the engine thread with the munro holding {@code chunk}, if held; for assembly. */
  void withMunro(int chunk, java.util.function.Consumer<MunroState> reader) {
    MunroState s = munros.get(Merkle.munroStart(chunk));
    if (s != null) {
      reader.accept(s);
    }
  }

  /** Runs {@code task} on the engine thread (it may read munros there with {@link #withMunro}). */
  void execute(Runnable task) {
    submit(task);
  }

  /** Number of open (handshaken) channels. */
  public int channelCount() {
    return (int) metrics.channels.get();
  }

  private void submit(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      selector.close();
      socket.close();
    } catch (IOException e) {
      log.debug("closing swarm socket: {}", e.toString());
    }
  }

  // ---------------------------------------------------------------- engine thread

  private void loop() {
    long tickMicros = config.tick().toNanos() / 1000;
    long nextTick = 0;
    while (running) {
      try {
        long now = micros.getAsLong();
        long waitMillis = Math.max(1, (nextTick - now) / 1000);
        selector.select(waitMillis);
        selector.selectedKeys().clear();
        Runnable task;
        while ((task = tasks.poll()) != null) {
          task.run();
        }
        receiveAll();
        now = micros.getAsLong();
        if (now >= nextTick) {
          tick(now);
          nextTick = now + tickMicros;
        }
      } catch (IOException e) {
        if (running) {
          log.debug("swarm socket: {}", e.toString());
        }
      } catch (RuntimeException e) {
        log.error("swarm engine: unexpected error, continuing", e);
      }
    }
    for (Channel c : byId.values()) {
      send(c, List.of(new Message.Handshake(0, ProtocolOptions.none())));
    }
  }

  private void receiveAll() throws IOException {
    for (int i = 0; i < 256; i++) {
      receiveBuffer.clear();
      SocketAddress from = socket.receive(receiveBuffer);
      if (from == null) {
        return;
      }
      receiveBuffer.flip();
      Datagram d;
      try {
        d = DatagramCodec.decode(receiveBuffer);
      } catch (DecodeException e) {
        metrics.dropped.get(e.reason()).incrementAndGet();
        log.debug("dropped datagram from {}: {} ({})", from, e.getMessage(), e.reason());
        continue;
      }
      handle((InetSocketAddress) from, d);
    }
  }

  private void handle(InetSocketAddress from, Datagram d) {
    long now = micros.getAsLong();
    if (d.channel() == 0) {
      if (d.messages().isEmpty() || !(d.messages().get(0) instanceof Message.Handshake h)) {
        protocolDrop(from, "a datagram on channel 0 must start with HANDSHAKE");
        return;
      }
      acceptHandshake(from, h, now);
      return;
    }
    Channel c = byId.get(d.channel());
    if (c == null || !c.remote.equals(from)) {
      protocolDrop(from, "unknown channel " + d.channel());
      return;
    }
    c.lastHeard = now;
    for (Message m : d.messages()) {
      if (!byId.containsKey(c.localId)) {
        return; // closed by an earlier message
      }
      handle(c, m, now);
    }
  }

  private void protocolDrop(InetSocketAddress from, String why) {
    metrics.droppedOther.incrementAndGet();
    log.debug("dropped datagram from {}: {}", from, why);
  }

  private Optional<String> refuse(ProtocolOptions o) {
    if (o.version().isPresent() && o.version().getAsInt() != ProtocolOptions.VERSION_1) {
      return Optional.of("version " + o.version().getAsInt());
    }
    if (o.swarmId().isEmpty() || !Arrays.equals(o.swarmId().get(), swarmId)) {
      return Optional.of("another swarm");
    }
    if (o.integrityProtection().orElse(ProtocolOptions.INTEGRITY_UNIFIED_MERKLE_TREE)
        != ProtocolOptions.INTEGRITY_UNIFIED_MERKLE_TREE
        || o.merkleHashFunction().orElse(ProtocolOptions.HASH_SHA256) != ProtocolOptions.HASH_SHA256
        || o.liveSignatureAlgorithm().orElse(ProtocolOptions.SIGNATURE_ED25519) != ProtocolOptions.SIGNATURE_ED25519
        || o.chunkSize().orElse(SwarmConfig.CHUNK_SIZE) != SwarmConfig.CHUNK_SIZE) {
      return Optional.of("another content integrity or chunk profile");
    }
    return Optional.empty();
  }

  private ProtocolOptions ourOptions() {
    return ProtocolOptions.live(swarmId, config.discardWindowChunks(), SwarmConfig.CHUNK_SIZE);
  }

  /** A HANDSHAKE on channel 0: someone opens a channel to us. */
  private void acceptHandshake(InetSocketAddress from, Message.Handshake h, long now) {
    Optional<String> refused = refuse(h.options());
    if (refused.isPresent() || h.sourceChannel() == 0) {
      log.debug("refused handshake from {}: {}", from, refused.orElse("no source channel"));
      metrics.droppedOther.incrementAndGet();
      return;
    }
    Channel c = byAddress.get(from);
    if (c == null) {
      if (byId.size() >= config.maxChannels()) {
        sendRaw(from, Datagram.of(h.sourceChannel(), new Message.Handshake(0, ProtocolOptions.none())));
        return;
      }
      c = newChannel(from, now);
    }
    c.remoteId = h.sourceChannel();
    c.lastHeard = now;
    List<Message> reply = new ArrayList<>();
    reply.add(new Message.Handshake(c.localId, ourOptions()));
    reply.addAll(haveRanges());
    send(c, reply);
    established(c);
  }

  private Channel newChannel(InetSocketAddress remote, long now) {
    int id;
    do {
      id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
    } while (byId.containsKey(id));
    Channel c = new Channel(id, remote, now);
    byId.put(id, c);
    byAddress.put(remote, c);
    return c;
  }

  private void open(InetSocketAddress peer) {
    if (byAddress.containsKey(peer) || byId.size() >= config.maxChannels() || peer.equals(localAddress())) {
      return;
    }
    Channel c = newChannel(peer, micros.getAsLong());
    sendHandshake(c);
  }

  private void sendHandshake(Channel c) {
    c.lastHandshake = micros.getAsLong();
    sendRaw(c.remote, Datagram.of(0, new Message.Handshake(c.localId, ourOptions())));
  }

  private void established(Channel c) {
    if (!c.established) {
      c.established = true;
      metrics.channels.incrementAndGet();
      if (role == Role.PEER) {
        send(c, List.of(new Message.PexReq()));
      }
      log.debug("channel {} to {} open", c.localId, c.remote);
    }
  }

  private void close(Channel c, String why) {
    if (byId.remove(c.localId) == null) {
      return;
    }
    byAddress.remove(c.remote);
    if (c.established) {
      metrics.channels.decrementAndGet();
    }
    requested.values().removeIf(p -> p.channel == c);
    log.debug("channel to {} closed: {}", c.remote, why);
  }

  private void handle(Channel c, Message m, long now) {
    switch (m) {
      case Message.Handshake h -> {
        if (h.sourceChannel() == 0) {
          close(c, "peer closed the channel");
          return;
        }
        Optional<String> refused = refuse(h.options());
        if (refused.isPresent()) {
          close(c, "handshake refused: " + refused.get());
          return;
        }
        c.remoteId = h.sourceChannel();
        boolean first = !c.established;
        established(c);
        if (first) {
          send(c, haveRanges());
        }
      }
      case Message.Have h -> {
        if (!c.established) {
          return;
        }
        int low = windowLow();
        boolean fromOrigin = isOrigin(c);
        // only the origin moves the live edge; anyone else's HAVE is clamped to the window around it
        int top = fromOrigin ? h.range().end() : Math.min(h.range().end(), Math.max(highest, 0)
            + config.discardWindowChunks());
        if (fromOrigin && top > highest + config.discardWindowChunks() * 4L && highest >= 0) {
          top = highest + config.discardWindowChunks();
        }
        int from = Math.max(low, h.range().start());
        if (from > top) {
          return;
        }
        c.have.set(from, top + 1);
        if (fromOrigin || role == Role.PEER) {
          for (int s = Merkle.munroStart(from); s <= top; s += Merkle.MUNRO_CHUNKS) {
            munroFirstHeard.putIfAbsent(s, now);
          }
        }
        if (fromOrigin && top > highest) {
          highest = top;
          discardOld();
        }
      }
      case Message.Request r -> {
        if (c.banned || c.chokedByUs) {
          return;
        }
        int end = Math.min(r.range().end(), r.range().start() + SwarmConfig.MAX_QUEUED_REQUESTS);
        for (int chunk = r.range().start(); chunk <= end && c.queue.size() < SwarmConfig.MAX_QUEUED_REQUESTS;
            chunk++) {
          if (holds(chunk) && (role == Role.PEER || seedServes(chunk, now))) {
            c.queue.add(chunk);
          }
        }
      }
      case Message.Cancel x -> {
        for (int chunk = x.range().start(); chunk <= x.range().end() && !c.queue.isEmpty(); chunk++) {
          c.queue.remove(chunk);
        }
      }
      case Message.Integrity i -> {
        int index = Merkle.indexOf(i.range());
        if (index < 0 || c.banned) {
          return;
        }
        int start = Merkle.munroStart(i.range().start());
        if (start < windowLow() || munros.containsKey(start) && munros.get(start).held() == Merkle.MUNRO_CHUNKS) {
          return;
        }
        Map<Integer, byte[]> candidates = c.candidates.computeIfAbsent(start, k -> new HashMap<>());
        candidates.put(index, i.hash());
        while (c.candidates.size() > 64) {
          c.candidates.pollFirstEntry();
        }
      }
      case Message.SignedIntegrity s -> onSignedIntegrity(c, s);
      case Message.Data d -> onData(c, d, now);
      case Message.Ack a -> {
        int acked = 0;
        for (int chunk = a.range().start(); chunk <= a.range().end() && !c.inFlight.isEmpty(); chunk++) {
          if (c.inFlight.remove(chunk) != null) {
            acked++;
          }
        }
        if (acked > 0) {
          c.ledbat.onAck(Math.max(0, a.delaySample()), acked, now);
        }
      }
      case Message.Choke x -> {
        c.chokedByRemote = true;
        requested.values().removeIf(p -> p.channel == c);
      }
      case Message.Unchoke x -> c.chokedByRemote = false;
      case Message.PexReq x -> {
        List<Message> answer = new ArrayList<>();
        for (Channel other : byId.values()) {
          if (other != c && other.established && !other.banned && !isOrigin(other)
              && other.remote.getAddress() instanceof Inet4Address v4) {
            answer.add(new Message.PexResV4(v4.getAddress(), other.remote.getPort()));
            if (answer.size() == SwarmConfig.PEX_ANSWERS) {
              break;
            }
          }
        }
        if (!answer.isEmpty()) {
          send(c, answer);
        }
      }
      case Message.PexResV4 p -> {
        if (role == Role.PEER && byId.size() < config.maxChannels()) {
          try {
            open(new InetSocketAddress(InetAddress.getByAddress(p.address()), p.port()));
          } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4-byte address is always valid", e);
          }
        }
      }
    }
  }

  private void onSignedIntegrity(Channel c, Message.SignedIntegrity s) {
    int start = s.range().start();
    if (c.banned || Merkle.indexOf(s.range()) != 1 || munros.containsKey(start) || start < windowLow()) {
      return;
    }
    Map<Integer, byte[]> candidates = c.candidates.get(start);
    byte[] root = candidates == null ? null : candidates.get(1);
    if (root == null) {
      return;
    }
    if (!verifier.verify(s.range(), s.timestamp(), root, s.signature())) {
      ban(c, "a munro signature that does not verify (munro " + s.range() + ")");
      return;
    }
    munros.put(start, MunroState.signed(start, root, s.timestamp(), s.signature()));
  }

  private void onData(Channel c, Message.Data d, long now) {
    if (c.banned || d.range().count() != 1 || d.data().length > SwarmConfig.CHUNK_SIZE || role == Role.SEED) {
      return;
    }
    int chunk = d.range().start();
    MunroState m = munros.get(Merkle.munroStart(chunk));
    if (m == null) {
      metrics.chunksUnverifiable.incrementAndGet();
      return;
    }
    Map<Integer, byte[]> candidates = c.candidates.getOrDefault(m.start(), Map.of());
    switch (m.verify(md, chunk, d.data(), candidates)) {
      case OK -> {
        requested.remove(chunk);
        (isOrigin(c) ? metrics.bytesFromOrigin : metrics.bytesFromPeers).addAndGet(d.data().length);
        send(c, List.of(new Message.Ack(d.range(), Math.max(0, now - d.timestamp()))));
        pendingHaves.add(chunk);
        if (chunk > highest) {
          highest = chunk;
        }
        if (m.held() == Merkle.MUNRO_CHUNKS) {
          for (Channel other : byId.values()) {
            other.candidates.remove(m.start());
          }
        }
        onChunk.accept(chunk);
      }
      case DUPLICATE -> {
        metrics.duplicateChunks.incrementAndGet();
        send(c, List.of(new Message.Ack(d.range(), Math.max(0, now - d.timestamp()))));
      }
      case UNVERIFIABLE -> metrics.chunksUnverifiable.incrementAndGet();
      case FORGED -> {
        metrics.chunksRejected.incrementAndGet();
        ban(c, "chunk " + chunk + " that does not match the signed munro hash");
      }
    }
  }

  /** The remote sent forged content: drop what it sent, choke it, never ask it again. */
  private void ban(Channel c, String what) {
    if (c.banned) {
      return;
    }
    c.banned = true;
    c.chokedByUs = true;
    c.queue.clear();
    c.candidates.clear();
    c.have.clear();
    requested.values().removeIf(p -> p.channel == c);
    metrics.peersChoked.incrementAndGet();
    log.warn("peer {} sent {}: its data is dropped and it is choked (integrity check failed)", c.remote, what);
    send(c, List.of(new Message.Choke()));
  }

  /**
   * The seed hands each fresh chunk to at most {@link SwarmConfig#seedCopies} peers: the swarm spreads it from
   * there. A request for a chunk that has had its copies is ignored while the chunk is fresh (the peer's request
   * times out, or it cancels it when a peer announces the chunk). Past its freshness the seed stays the last
   * resort but not a free-for-all: the copies it allows double every half freshness (2, 4, 8, ...), so a swarm
   * that spreads slowly (CPU-starved peers) gets a few more seeds of the chunk rather than every peer's request at
   * once, and after five doublings anyone who still asks is served.
   */
  private boolean seedServes(int chunk, long now) {
    Long injected = munroInjected.get(Merkle.munroStart(chunk));
    if (injected == null) {
      return true;
    }
    long freshness = Math.max(1, config.seedFreshness().toNanos() / 1000);
    long age = now - injected;
    long allowed = config.seedCopies();
    if (age > freshness) {
      long doublings = 1 + (age - freshness) / Math.max(1, freshness / 2);
      if (doublings > 5) {
        return true;
      }
      allowed <<= doublings;
    }
    int served = freshCopies.getOrDefault(chunk, 0);
    if (served >= allowed) {
      return false;
    }
    freshCopies.put(chunk, served + 1); // copies served, not requests: a refused request does not count
    return true;
  }

  private boolean isOrigin(Channel c) {
    return origin.isPresent() && origin.get().equals(c.remote);
  }

  private boolean holds(int chunk) {
    MunroState m = munros.get(Merkle.munroStart(chunk));
    return m != null && m.has(chunk);
  }

  private int windowLow() {
    return Math.max(0, highest - config.discardWindowChunks() + 1);
  }

  private void discardOld() {
    int low = windowLow();
    int munroLow = Merkle.munroStart(low);
    munros.headMap(munroLow, false).clear();
    munroFirstHeard.keySet().removeIf(s -> s < munroLow);
    munroPatience.keySet().removeIf(s -> s < munroLow);
    munroInjected.keySet().removeIf(s -> s < munroLow);
    freshCopies.keySet().removeIf(chunk -> chunk < low);
    requested.keySet().removeIf(chunk -> chunk < low);
    for (Channel c : byId.values()) {
      if (low > 0) {
        c.have.clear(0, low);
      }
      c.candidates.headMap(munroLow, false).clear();
      c.sentNodes.keySet().removeIf(m -> m < munroLow);
    }
  }

  private List<Message> haveRanges() {
    List<Message> out = new ArrayList<>();
    for (MunroState m : munros.values()) {
      int runStart = -1;
      for (int chunk = m.start(); chunk <= m.start() + Merkle.MUNRO_CHUNKS; chunk++) {
        boolean has = chunk < m.start() + Merkle.MUNRO_CHUNKS && m.has(chunk);
        if (has && runStart < 0) {
          runStart = chunk;
        } else if (!has && runStart >= 0) {
          out.add(new Message.Have(new ChunkRange(runStart, chunk - 1)));
          runStart = -1;
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- timer

  private void tick(long now) {
    flushHaves();
    for (Channel c : new ArrayList<>(byId.values())) {
      if (!c.established) {
        if (now - c.created > SwarmConfig.HANDSHAKE_GIVE_UP_MICROS) {
          close(c, "no answer to the handshake");
        } else if (now - c.lastHandshake > SwarmConfig.HANDSHAKE_RETRY_MICROS) {
          sendHandshake(c);
        }
        continue;
      }
      if (now - c.lastHeard > SwarmConfig.CHANNEL_TIMEOUT_MICROS) {
        close(c, "silent for " + SwarmConfig.CHANNEL_TIMEOUT_MICROS / 1000 + " ms");
        continue;
      }
      expireInFlight(c, now);
      serve(c, now);
      if (now - c.lastSent > SwarmConfig.KEEPALIVE_MICROS) {
        sendRaw(c.remote, Datagram.of(c.remoteId));
        c.lastSent = now;
      }
    }
    if (role == Role.PEER) {
      requested.values().removeIf(p -> now - p.atMicros > SwarmConfig.REQUEST_TIMEOUT_MICROS);
      pickRequests(now);
    }
  }

  private void flushHaves() {
    if (pendingHaves.isEmpty()) {
      return;
    }
    pendingHaves.sort(null);
    List<Message> haves = new ArrayList<>();
    int runStart = pendingHaves.get(0);
    int prev = runStart;
    for (int i = 1; i <= pendingHaves.size(); i++) {
      int chunk = i < pendingHaves.size() ? pendingHaves.get(i) : Integer.MIN_VALUE;
      if (chunk != prev + 1 && chunk != prev) {
        haves.add(new Message.Have(new ChunkRange(runStart, prev)));
        runStart = chunk;
      }
      prev = chunk;
    }
    pendingHaves.clear();
    for (Channel c : byId.values()) {
      if (c.established && !c.banned) {
        for (int i = 0; i < haves.size(); i += 100) {
          send(c, haves.subList(i, Math.min(haves.size(), i + 100)));
        }
      }
    }
  }

  private void expireInFlight(Channel c, long now) {
    Iterator<Map.Entry<Integer, Long>> it = c.inFlight.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Integer, Long> e = it.next();
      if (now - e.getValue() > SwarmConfig.ACK_TIMEOUT_MICROS) {
        it.remove();
        metrics.lostChunks.incrementAndGet();
        c.ledbat.onLoss(now);
        // the receiver may lack the hashes we thought it had: send them again with the next chunk of that munro
        int munro = Merkle.munroStart(e.getKey());
        c.sentNodes.remove(munro);
      }
    }
  }

  /** Sends queued requested chunks while the channel's LEDBAT window has room. */
  private void serve(Channel c, long now) {
    while (!c.queue.isEmpty() && c.inFlight.size() < (int) c.ledbat.cwnd()) {
      Iterator<Integer> it = c.queue.iterator();
      int chunk = it.next();
      it.remove();
      MunroState m = munros.get(Merkle.munroStart(chunk));
      if (m == null || !m.has(chunk)) {
        continue;
      }
      List<Message> out = new ArrayList<>(Merkle.LEVELS + 3);
      BitSet sent = c.sentNodes.computeIfAbsent(m.start(), k -> new BitSet(2 * Merkle.MUNRO_CHUNKS));
      if (!sent.get(1)) {
        out.add(new Message.Integrity(m.range(), m.root()));
        out.add(new Message.SignedIntegrity(m.range(), m.timestamp(), m.signature()));
        sent.set(1);
      }
      int index = Merkle.MUNRO_CHUNKS + (chunk - m.start());
      for (int uncle : MunroTree.uncles(m.start(), chunk)) {
        if (!sent.get(uncle)) {
          out.add(new Message.Integrity(Merkle.rangeOf(m.start(), uncle), m.node(uncle)));
          sent.set(uncle);
        }
        sent.set(index); // the receiver computes this path node itself when the chunk checks out
        index >>= 1;
      }
      byte[] data = m.chunk(chunk);
      out.add(new Message.Data(ChunkRange.of(chunk), now, data));
      c.inFlight.put(chunk, now);
      metrics.bytesUploaded.addAndGet(data.length);
      metrics.chunksUploaded.incrementAndGet();
      send(c, out);
    }
  }

  /**
   * Piece picking: chunks from the playhead on, the first {@value SwarmConfig#URGENT_CHUNKS} in order, the rest
   * rarest first; each from the least loaded peer that has it, or from the origin once no peer has it and this
   * munro's patience ran out.
   */
  private void pickRequests(long now) {
    if (interestFrom == Integer.MAX_VALUE || highest < 0) {
      return;
    }
    int from = Math.max(interestFrom, windowLow());
    List<Channel> peers = new ArrayList<>();
    Channel originChannel = null;
    for (Channel c : byId.values()) {
      if (c.established && !c.banned && !c.chokedByRemote) {
        if (isOrigin(c)) {
          originChannel = c;
        } else {
          peers.add(c);
        }
      }
    }
    if (originChannel != null) {
      // a chunk asked of the origin a while ago that a peer now has: ask the peer instead (CANCEL the origin's)
      List<Integer> cancel = new ArrayList<>();
      for (Map.Entry<Integer, Pending> e : requested.entrySet()) {
        if (e.getValue().channel == originChannel && now - e.getValue().atMicros > SwarmConfig.ORIGIN_SWITCH_MICROS
            && !noPeerHas(peers, e.getKey())) {
          cancel.add(e.getKey());
        }
      }
      List<Message> cancels = new ArrayList<>();
      for (int chunk : cancel) {
        requested.remove(chunk);
        cancels.add(new Message.Cancel(ChunkRange.of(chunk)));
      }
      send(originChannel, cancels);
    }
    Map<Channel, Integer> outstanding = new HashMap<>();
    for (Pending p : requested.values()) {
      outstanding.merge(p.channel, 1, Integer::sum);
    }
    List<int[]> candidates = new ArrayList<>(); // {chunk, rarity}
    int playhead = -1;
    for (int chunk = from; chunk <= highest && candidates.size() < 1024; chunk++) {
      if (holds(chunk) || requested.containsKey(chunk)) {
        continue;
      }
      int rarity = 0;
      for (Channel c : peers) {
        if (c.have.get(chunk)) {
          rarity++;
        }
      }
      boolean originHas = originChannel != null && originChannel.have.get(chunk);
      if (rarity == 0 && !originHas) {
        continue;
      }
      if (playhead < 0) {
        playhead = chunk;
      }
      candidates.add(new int[] {chunk, chunk - playhead < SwarmConfig.URGENT_CHUNKS ? -1 : rarity});
    }
    candidates.sort((a, b) -> a[1] != b[1] ? Integer.compare(a[1], b[1]) : Integer.compare(a[0], b[0]));
    Map<Channel, List<Integer>> batches = new HashMap<>();
    for (int[] cand : candidates) {
      int chunk = cand[0];
      Channel best = null;
      int bestLoad = Integer.MAX_VALUE;
      for (Channel c : peers) {
        int load = outstanding.getOrDefault(c, 0);
        if (c.have.get(chunk) && load < SwarmConfig.MAX_OUTSTANDING_REQUESTS && load < bestLoad) {
          best = c;
          bestLoad = load;
        }
      }
      if (best == null && originChannel != null && originChannel.have.get(chunk)
          && outstanding.getOrDefault(originChannel, 0) < 2 * SwarmConfig.MAX_OUTSTANDING_REQUESTS
          && noPeerHas(peers, chunk) && patienceOver(chunk, now)) {
        best = originChannel;
      }
      if (best == null) {
        continue;
      }
      outstanding.merge(best, 1, Integer::sum);
      requested.put(chunk, new Pending(best, now));
      batches.computeIfAbsent(best, k -> new ArrayList<>()).add(chunk);
    }
    for (Map.Entry<Channel, List<Integer>> e : batches.entrySet()) {
      List<Integer> chunks = e.getValue();
      chunks.sort(null);
      List<Message> out = new ArrayList<>();
      int runStart = chunks.get(0);
      int prev = runStart;
      for (int i = 1; i <= chunks.size(); i++) {
        int chunk = i < chunks.size() ? chunks.get(i) : Integer.MIN_VALUE;
        if (chunk != prev + 1) {
          out.add(new Message.Request(new ChunkRange(runStart, prev)));
          runStart = chunk;
        }
        prev = chunk;
      }
      send(e.getKey(), out);
    }
  }

  private static boolean noPeerHas(List<Channel> peers, int chunk) {
    for (Channel c : peers) {
      if (c.have.get(chunk)) {
        return false;
      }
    }
    return true;
  }

  private boolean patienceOver(int chunk, long now) {
    int munro = Merkle.munroStart(chunk);
    long heard = munroFirstHeard.computeIfAbsent(munro, k -> now);
    long patience = munroPatience.computeIfAbsent(munro, k -> {
      long min = config.originPatienceMin().toNanos() / 1000;
      long max = config.originPatienceMax().toNanos() / 1000;
      return min + (max > min ? ThreadLocalRandom.current().nextLong(max - min) : 0);
    });
    return now - heard >= patience;
  }

  // ---------------------------------------------------------------- sending

  private void send(Channel c, List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    if (c.remoteId == 0 && !(messages.get(0) instanceof Message.Handshake)) {
      return; // not open yet
    }
    // split so that each datagram stays within the limit (DATA is always last of its list)
    List<Message> batch = new ArrayList<>();
    int size = 4;
    for (Message m : messages) {
      int length = estimate(m);
      if (!batch.isEmpty() && size + length > 1400) {
        sendRaw(c.remote, new Datagram(c.remoteId, batch));
        batch = new ArrayList<>();
        size = 4;
      }
      batch.add(m);
      size += length;
    }
    sendRaw(c.remote, new Datagram(c.remoteId, batch));
    c.lastSent = micros.getAsLong();
  }

  private static int estimate(Message m) {
    return switch (m) {
      case Message.Data d -> 17 + d.data().length;
      case Message.Integrity i -> 41;
      case Message.SignedIntegrity s -> 81;
      case Message.Handshake h -> 64;
      default -> 17;
    };
  }

  private void sendRaw(InetSocketAddress to, Datagram d) {
    try {
      if (socket.send(ByteBuffer.wrap(DatagramCodec.encode(d)), to) == 0) {
        log.debug("send buffer full, datagram to {} dropped", to);
      }
    } catch (IOException e) {
      log.debug("send to {}: {}", to, e.toString());
    }
  }

  /** One channel (RFC 7574 section 3.11 ff.): both directions' state with one remote node. */
  private static final class Channel {
    final int localId;
    final InetSocketAddress remote;
    final long created;
    int remoteId;
    boolean established;
    long lastHeard;
    long lastSent;
    long lastHandshake;
    boolean chokedByRemote;
    boolean chokedByUs;
    boolean banned;
    final BitSet have = new BitSet();
    final LinkedHashSet<Integer> queue = new LinkedHashSet<>();
    final Map<Integer, Long> inFlight = new HashMap<>();
    final Ledbat ledbat = new Ledbat();
    final Map<Integer, BitSet> sentNodes = new HashMap<>();
    final TreeMap<Integer, Map<Integer, byte[]>> candidates = new TreeMap<>();

    Channel(int localId, InetSocketAddress remote, long now) {
      this.localId = localId;
      this.remote = remote;
      this.created = now;
      this.lastHeard = now;
    }
  }
}
