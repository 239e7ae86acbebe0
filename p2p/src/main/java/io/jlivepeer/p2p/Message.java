package io.jlivepeer.p2p;

import java.util.Arrays;

/**
 * The PPSPP messages of RFC 7574 section 8 this profile speaks (type codes from section 8.2). Byte arrays are
 * owned by the message (the decoder copies them out of the datagram).
 */
public sealed interface Message {
  int TYPE_HANDSHAKE = 0;
  int TYPE_DATA = 1;
  int TYPE_ACK = 2;
  int TYPE_HAVE = 3;
  int TYPE_INTEGRITY = 4;
  int TYPE_PEX_RESV4 = 5;
  int TYPE_PEX_REQ = 6;
  int TYPE_SIGNED_INTEGRITY = 7;
  int TYPE_REQUEST = 8;
  int TYPE_CANCEL = 9;
  int TYPE_CHOKE = 10;
  int TYPE_UNCHOKE = 11;

  int type();

  /** RFC 7574 section 8: the sender's channel id for the receiver to use (0 on a closing handshake) and its options. */
  record Handshake(int sourceChannel, ProtocolOptions options) implements Message {
    @Override
    public int type() {
      return TYPE_HANDSHAKE;
    }
  }

  /**
   * Section 8.6: chunk(s) with the sender's 64-bit timestamp (microseconds, for LEDBAT's delay samples). The data
   * runs to the end of the datagram, so DATA is always the last message of its datagram.
   */
  record Data(ChunkRange range, long timestamp, byte[] data) implements Message {
    @Override
    public int type() {
      return TYPE_DATA;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Data d && range.equals(d.range) && timestamp == d.timestamp && Arrays.equals(data, d.data);
    }

    @Override
    public int hashCode() {
      return range.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Data[" + range + ", ts=" + timestamp + ", " + data.length + " bytes]";
    }
  }

  /** RFC 7574 section 8: chunks received, with a 64-bit one-way delay sample (microseconds). */
  record Ack(ChunkRange range, long delaySample) implements Message {
    @Override
    public int type() {
      return TYPE_ACK;
    }
  }

  /** RFC 7574 section 8: the sender has (verified) these chunks. */
  record Have(ChunkRange range) implements Message {
    @Override
    public int type() {
      return TYPE_HAVE;
    }
  }

  /** RFC 7574 section 8: the hash of the Merkle tree node that spans {@code range} (SHA-256: 32 bytes). */
  record Integrity(ChunkRange range, byte[] hash) implements Message {
    @Override
    public int type() {
      return TYPE_INTEGRITY;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Integrity i && range.equals(i.range) && Arrays.equals(hash, i.hash);
    }

    @Override
    public int hashCode() {
      return range.hashCode() * 31 + Arrays.hashCode(hash);
    }
  }

  /** RFC 7574 section 8: the injector's signature over a munro (timestamp: NTP 64-bit, section 6.1.2). */
  record SignedIntegrity(ChunkRange range, long timestamp, byte[] signature) implements Message {
    @Override
    public int type() {
      return TYPE_SIGNED_INTEGRITY;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SignedIntegrity s && range.equals(s.range) && timestamp == s.timestamp
          && Arrays.equals(signature, s.signature);
    }

    @Override
    public int hashCode() {
      return range.hashCode() * 31 + Arrays.hashCode(signature);
    }
  }

  /** RFC 7574 section 8: please send these chunks. */
  record Request(ChunkRange range) implements Message {
    @Override
    public int type() {
      return TYPE_REQUEST;
    }
  }

  /** RFC 7574 section 8: forget my request for these chunks. */
  record Cancel(ChunkRange range) implements Message {
    @Override
    public int type() {
      return TYPE_CANCEL;
    }
  }

  /** RFC 7574 section 8: the sender will not answer requests (until UNCHOKE); pending requests are dropped. */
  record Choke() implements Message {
    @Override
    public int type() {
      return TYPE_CHOKE;
    }
  }

  /** RFC 7574 section 8: the sender answers requests again. */
  record Unchoke() implements Message {
    @Override
    public int type() {
      return TYPE_UNCHOKE;
    }
  }

  /** RFC 7574 section 8 (PEX_REQ): send me some peers you know. */
  record PexReq() implements Message {
    @Override
    public int type() {
      return TYPE_PEX_REQ;
    }
  }

  /** RFC 7574 section 8 (PEX_RESv4): one peer's IPv4 address (4 bytes, network order) and UDP port (2 bytes). */
  record PexResV4(byte[] address, int port) implements Message {
    public PexResV4 {
      if (address.length != 4 || port < 0 || port > 0xFFFF) {
        throw new IllegalArgumentException("PEX_RESv4 needs a 4-byte address and a 16-bit port");
      }
      address = address.clone();
    }

    @Override
    public int type() {
      return TYPE_PEX_RESV4;
    }

    @Override
    public byte[] address() {
      return address.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PexResV4 p && port == p.port && Arrays.equals(address, p.address);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(address) * 31 + port;
    }
  }
}
