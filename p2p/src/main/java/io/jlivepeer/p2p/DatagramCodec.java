package io.jlivepeer.p2p;

import io.jlivepeer.p2p.DecodeException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Encodes and decodes datagrams of this project's PPSPP profile (RFC 7574 section 8; docs/p2p.md): 32-bit chunk
 * ranges (two 32-bit big-endian integers per chunk specification), SHA-256 hashes (32 bytes in INTEGRITY) and
 * Ed25519 signatures (64 bytes in SIGNED_INTEGRITY). All integers are big-endian (network order).
 *
 * <p>Decoding never allocates more than the datagram holds: every length is checked against the bytes left before
 * anything is copied, and the message count is capped. Malformed input is a {@link DecodeException} with a
 * {@link Reason}; nothing else escapes.
 */
public final class DatagramCodec {
  /** Largest datagram accepted or sent: a 1 KiB chunk with its integrity messages fits well below it. */
  public static final int MAX_DATAGRAM_BYTES = 8192;
  /** Most messages in one datagram (a HAVE burst or many small control messages). */
  public static final int MAX_MESSAGES = 256;
  public static final int HASH_BYTES = 32;
  public static final int SIGNATURE_BYTES = 64;
  /** Largest swarm identifier accepted (an Ed25519 key is 32 bytes; leaves room for other key types). */
  public static final int MAX_SWARM_ID_BYTES = 256;

  private DatagramCodec() {}

  public static byte[] encode(Datagram datagram) {
    ByteBuffer out = ByteBuffer.allocate(MAX_DATAGRAM_BYTES);
    out.putInt(datagram.channel());
    List<Message> messages = datagram.messages();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      if (m instanceof Message.Data && i != messages.size() - 1) {
        throw new IllegalArgumentException("DATA must be the last message of a datagram");
      }
      encode(m, out);
    }
    byte[] bytes = new byte[out.position()];
    out.flip().get(bytes);
    return bytes;
  }

  private static void encode(Message message, ByteBuffer out) {
    out.put((byte) message.type());
    switch (message) {
      case Message.Handshake h -> {
        out.putInt(h.sourceChannel());
        encodeOptions(h.options(), out);
      }
      case Message.Data d -> {
        range(d.range(), out);
        out.putLong(d.timestamp());
        out.put(d.data());
      }
      case Message.Ack a -> {
        range(a.range(), out);
        out.putLong(a.delaySample());
      }
      case Message.Have h -> range(h.range(), out);
      case Message.Integrity i -> {
        if (i.hash().length != HASH_BYTES) {
          throw new IllegalArgumentException("INTEGRITY hash must be " + HASH_BYTES + " bytes");
        }
        range(i.range(), out);
        out.put(i.hash());
      }
      case Message.SignedIntegrity s -> {
        if (s.signature().length != SIGNATURE_BYTES) {
          throw new IllegalArgumentException("SIGNED_INTEGRITY signature must be " + SIGNATURE_BYTES + " bytes");
        }
        range(s.range(), out);
        out.putLong(s.timestamp());
        out.put(s.signature());
      }
      case Message.Request r -> range(r.range(), out);
      case Message.Cancel c -> range(c.range(), out);
      case Message.PexResV4 p -> {
        out.put(p.address());
        out.putShort((short) p.port());
      }
      case Message.Choke c -> { }
      case Message.Unchoke u -> { }
      case Message.PexReq p -> { }
    }
  }

  private static void range(ChunkRange r, ByteBuffer out) {
    out.putInt(r.start());
    out.putInt(r.end());
  }

  private static void encodeOptions(ProtocolOptions o, ByteBuffer out) {
    o.version().ifPresent(v -> out.put((byte) ProtocolOptions.CODE_VERSION).put((byte) v));
    o.minimumVersion().ifPresent(v -> out.put((byte) ProtocolOptions.CODE_MINIMUM_VERSION).put((byte) v));
    o.swarmId().ifPresent(id -> out.put((byte) ProtocolOptions.CODE_SWARM_ID).putShort((short) id.length).put(id));
    o.integrityProtection().ifPresent(v -> out.put((byte) ProtocolOptions.CODE_INTEGRITY).put((byte) v));
    o.merkleHashFunction().ifPresent(v -> out.put((byte) ProtocolOptions.CODE_HASH_FUNCTION).put((byte) v));
    o.liveSignatureAlgorithm().ifPresent(v -> out.put((byte) ProtocolOptions.CODE_SIGNATURE_ALGORITHM).put((byte) v));
    o.chunkAddressing().ifPresent(v -> out.put((byte) ProtocolOptions.CODE_CHUNK_ADDRESSING).put((byte) v));
    o.liveDiscardWindow().ifPresent(v -> out.put((byte) ProtocolOptions.CODE_LIVE_DISCARD_WINDOW).putInt((int) v));
    o.supportedMessages().ifPresent(
        b -> out.put((byte) ProtocolOptions.CODE_SUPPORTED_MESSAGES).put((byte) b.length).put(b));
    o.chunkSize().ifPresent(v -> out.put((byte) ProtocolOptions.CODE_CHUNK_SIZE).putInt((int) v));
    out.put((byte) ProtocolOptions.CODE_END);
  }

  /** Decodes {@code bytes} (one whole datagram). */
  public static Datagram decode(byte[] bytes) {
    return decode(ByteBuffer.wrap(bytes));
  }

  /** Decodes the remaining bytes of {@code in} (one whole datagram); consumes them. */
  public static Datagram decode(ByteBuffer in) {
    if (in.remaining() > MAX_DATAGRAM_BYTES) {
      throw new DecodeException(Reason.TOO_LONG, "datagram of " + in.remaining() + " bytes, at most "
          + MAX_DATAGRAM_BYTES);
    }
    need(in, 4, "channel id");
    int channel = in.getInt();
    List<Message> messages = new ArrayList<>();
    while (in.hasRemaining()) {
      if (messages.size() == MAX_MESSAGES) {
        throw new DecodeException(Reason.TOO_MANY_MESSAGES, "more than " + MAX_MESSAGES + " messages");
      }
      messages.add(decodeMessage(in));
    }
    return new Datagram(channel, messages);
  }

  private static Message decodeMessage(ByteBuffer in) {
    int type = in.get() & 0xFF;
    return switch (type) {
      case Message.TYPE_HANDSHAKE -> {
        need(in, 4, "HANDSHAKE source channel");
        int source = in.getInt();
        yield new Message.Handshake(source, decodeOptions(in));
      }
      case Message.TYPE_DATA -> {
        ChunkRange r = range(in, "DATA");
        need(in, 8, "DATA timestamp");
        long ts = in.getLong();
        byte[] data = new byte[in.remaining()];
        in.get(data);
        yield new Message.Data(r, ts, data);
      }
      case Message.TYPE_ACK -> {
        ChunkRange r = range(in, "ACK");
        need(in, 8, "ACK delay sample");
        yield new Message.Ack(r, in.getLong());
      }
      case Message.TYPE_HAVE -> new Message.Have(range(in, "HAVE"));
      case Message.TYPE_INTEGRITY -> {
        ChunkRange r = range(in, "INTEGRITY");
        yield new Message.Integrity(r, bytes(in, HASH_BYTES, "INTEGRITY hash"));
      }
      case Message.TYPE_PEX_RESV4 -> {
        byte[] address = bytes(in, 4, "PEX_RESv4 address");
        need(in, 2, "PEX_RESv4 port");
        yield new Message.PexResV4(address, in.getShort() & 0xFFFF);
      }
      case Message.TYPE_PEX_REQ -> new Message.PexReq();
      case Message.TYPE_SIGNED_INTEGRITY -> {
        ChunkRange r = range(in, "SIGNED_INTEGRITY");
        need(in, 8, "SIGNED_INTEGRITY timestamp");
        long ts = in.getLong();
        yield new Message.SignedIntegrity(r, ts, bytes(in, SIGNATURE_BYTES, "SIGNED_INTEGRITY signature"));
      }
      case Message.TYPE_REQUEST -> new Message.Request(range(in, "REQUEST"));
      case Message.TYPE_CANCEL -> new Message.Cancel(range(in, "CANCEL"));
      case Message.TYPE_CHOKE -> new Message.Choke();
      case Message.TYPE_UNCHOKE -> new Message.Unchoke();
      default -> throw new DecodeException(Reason.UNKNOWN_MESSAGE_TYPE, "unknown message type " + type);
    };
  }

  private static ProtocolOptions decodeOptions(ByteBuffer in) {
    OptionalInt version = OptionalInt.empty();
    OptionalInt minVersion = OptionalInt.empty();
    Optional<byte[]> swarmId = Optional.empty();
    OptionalInt integrity = OptionalInt.empty();
    OptionalInt hash = OptionalInt.empty();
    OptionalInt signature = OptionalInt.empty();
    OptionalInt addressing = OptionalInt.empty();
    OptionalLong window = OptionalLong.empty();
    Optional<byte[]> supported = Optional.empty();
    OptionalLong chunkSize = OptionalLong.empty();
    int last = -1;
    while (true) {
      need(in, 1, "HANDSHAKE option code (no end option)");
      int code = in.get() & 0xFF;
      if (code == ProtocolOptions.CODE_END) {
        break;
      }
      if (code <= last) {
        throw new DecodeException(Reason.BAD_OPTION, "option " + code + " repeated or out of ascending order");
      }
      last = code;
      switch (code) {
        case ProtocolOptions.CODE_VERSION -> version = OptionalInt.of(u8(in, "version"));
        case ProtocolOptions.CODE_MINIMUM_VERSION -> minVersion = OptionalInt.of(u8(in, "minimum version"));
        case ProtocolOptions.CODE_SWARM_ID -> {
          need(in, 2, "swarm identifier length");
          int length = in.getShort() & 0xFFFF;
          if (length > MAX_SWARM_ID_BYTES) {
            throw new DecodeException(Reason.BAD_OPTION, "swarm identifier of " + length + " bytes, at most "
                + MAX_SWARM_ID_BYTES);
          }
          swarmId = Optional.of(bytes(in, length, "swarm identifier"));
        }
        case ProtocolOptions.CODE_INTEGRITY -> integrity = OptionalInt.of(u8(in, "content integrity protection"));
        case ProtocolOptions.CODE_HASH_FUNCTION -> hash = OptionalInt.of(u8(in, "Merkle hash tree function"));
        case ProtocolOptions.CODE_SIGNATURE_ALGORITHM -> signature = OptionalInt.of(u8(in, "live signature algorithm"));
        case ProtocolOptions.CODE_CHUNK_ADDRESSING -> {
          int method = u8(in, "chunk addressing method");
          if (method != ProtocolOptions.ADDRESSING_32BIT_CHUNK_RANGES) {
            // the size of every later chunk specification depends on it; this profile speaks only one
            throw new DecodeException(Reason.BAD_OPTION, "chunk addressing method " + method
                + " is not supported (only 2, 32-bit chunk ranges)");
          }
          addressing = OptionalInt.of(method);
        }
        case ProtocolOptions.CODE_LIVE_DISCARD_WINDOW -> {
          need(in, 4, "live discard window");
          window = OptionalLong.of(in.getInt() & 0xFFFFFFFFL);
        }
        case ProtocolOptions.CODE_SUPPORTED_MESSAGES -> {
          int length = u8(in, "supported messages length");
          supported = Optional.of(bytes(in, length, "supported messages bitmap"));
        }
        case ProtocolOptions.CODE_CHUNK_SIZE -> {
          need(in, 4, "chunk size");
          chunkSize = OptionalLong.of(in.getInt() & 0xFFFFFFFFL);
        }
        default -> throw new DecodeException(Reason.BAD_OPTION, "unknown protocol option " + code);
      }
    }
    return new ProtocolOptions(version, minVersion, swarmId, integrity, hash, signature, addressing, window,
        supported, chunkSize);
  }

  private static ChunkRange range(ByteBuffer in, String what) {
    need(in, 8, what + " chunk range");
    long start = in.getInt() & 0xFFFFFFFFL;
    long end = in.getInt() & 0xFFFFFFFFL;
    if (end < start || end > Integer.MAX_VALUE) {
      throw new DecodeException(Reason.BAD_CHUNK_RANGE, what + " chunk range [" + start + ", " + end
          + "] is empty or beyond 2^31");
    }
    return new ChunkRange((int) start, (int) end);
  }

  private static int u8(ByteBuffer in, String what) {
    need(in, 1, what);
    return in.get() & 0xFF;
  }

  private static byte[] bytes(ByteBuffer in, int length, String what) {
    need(in, length, what);
    byte[] b = new byte[length];
    in.get(b);
    return b;
  }

  private static void need(ByteBuffer in, int bytes, String what) {
    if (in.remaining() < bytes) {
      throw new DecodeException(Reason.TRUNCATED, "datagram ends inside " + what + " (" + bytes + " bytes needed, "
          + in.remaining() + " left)");
    }
  }
}
