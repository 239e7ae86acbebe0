package io.jlivepeer.p2p;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A malicious peer for tests: answers every handshake, claims to have every chunk, and answers requests with
 * random bytes, random hashes and a random munro signature. Counts the CHOKEs it receives.
 */
final class ForgingPeer implements AutoCloseable {
  private final DatagramSocket socket;
  private final Thread thread;
  private final Map<InetSocketAddress, Integer> remoteIds = new ConcurrentHashMap<>();
  final AtomicInteger chokes = new AtomicInteger();
  final AtomicInteger forgedSent = new AtomicInteger();
  private volatile boolean running = true;

  ForgingPeer(byte[] swarmId) throws IOException {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    socket.setSoTimeout(100);
    thread = new Thread(() -> run(swarmId), "forging-peer");
    thread.setDaemon(true);
    thread.start();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  private void run(byte[] swarmId) {
    Random random = new Random(666);
    byte[] buffer = new byte[DatagramCodec.MAX_DATAGRAM_BYTES];
    while (running) {
      try {
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        socket.receive(p);
        InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
        Datagram d = DatagramCodec.decode(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        for (Message m : d.messages()) {
          switch (m) {
            case Message.Handshake h when h.sourceChannel() != 0 -> {
              remoteIds.put(from, h.sourceChannel());
              send(from, List.of(new Message.Handshake(4242, ProtocolOptions.live(swarmId, 8192, 1024)),
                  new Message.Have(new ChunkRange(0, 1 << 20))));
            }
            case Message.Request r -> {
              for (int c = r.range().start(); c <= r.range().end(); c++) {
                List<Message> out = new ArrayList<>();
                ChunkRange munro = Merkle.munroRange(c);
                out.add(new Message.Integrity(munro, bytes(random, 32)));
                out.add(new Message.SignedIntegrity(munro, 1, bytes(random, 64)));
                for (int u : MunroTree.uncles(munro.start(), c)) {
                  out.add(new Message.Integrity(Merkle.rangeOf(munro.start(), u), bytes(random, 32)));
                }
                out.add(new Message.Data(ChunkRange.of(c), System.nanoTime() / 1000, bytes(random, 1024)));
                send(from, out);
                forgedSent.incrementAndGet();
              }
            }
            case Message.Choke x -> chokes.incrementAndGet();
            default -> { }
          }
        }
      } catch (SocketTimeoutException e) {
        // poll running
      } catch (IOException | DecodeException e) {
        // a test double: ignore
      }
    }
  }

  private void send(InetSocketAddress to, List<Message> messages) throws IOException {
    Integer id = remoteIds.get(to);
    if (id == null) {
      return;
    }
    byte[] b = DatagramCodec.encode(new Datagram(id, messages));
    socket.send(new DatagramPacket(b, b.length, to));
  }

  private static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  @Override
  public void close() {
    running = false;
    socket.close();
  }
}
