package io.jlivepeer.p2p;

import java.util.List;

/**
 * One UDP datagram (RFC 7574 section 8.1): the receiver's 32-bit channel id, then zero or more messages. No
 * messages at all is a keep-alive (section 8.3); channel 0 carries only the opening handshake.
 */
public record Datagram(int channel, List<Message> messages) {
  public Datagram {
    messages = List.copyOf(messages);
  }

  public static Datagram of(int channel, Message... messages) {
    return new Datagram(channel, List.of(messages));
  }
}
