package io.jlivepeer.chain;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Decodes the bytes a reverting EVM call returns: {@code Error(string)}, {@code Panic(uint256)} and the
 * OpenZeppelin custom errors a user meets: ERC20 (no allowance, no balance) and Ownable (not the owner).
 */
final class RevertReasons {
  private static final String ERROR = "08c379a0";
  private static final String PANIC = "4e487b71";
  private static final String ERC20_INSUFFICIENT_ALLOWANCE = "fb8f41b2";
  private static final String ERC20_INSUFFICIENT_BALANCE = "e450d38c";
  private static final String OWNABLE_UNAUTHORIZED_ACCOUNT = "118cdaa7";

  private RevertReasons() {}

  static Optional<String> decode(String hexData) {
    if (hexData == null) {
      return Optional.empty();
    }
    String h = hexData.startsWith("0x") ? hexData.substring(2) : hexData;
    if (h.length() < 8 || !h.matches("[0-9a-fA-F]*") || h.length() % 2 != 0) {
      return Optional.empty();
    }
    byte[] b = HexFormat.of().parseHex(h);
    String selector = h.substring(0, 8).toLowerCase(java.util.Locale.ROOT);
    try {
      return switch (selector) {
        case ERROR -> Optional.of(errorString(b));
        case PANIC -> Optional.of(panic(word(b, 0)));
        case ERC20_INSUFFICIENT_ALLOWANCE ->
            Optional.of("ERC20: insufficient allowance (allowance " + word(b, 1) + ", needed " + word(b, 2) + "); approve first");
        case ERC20_INSUFFICIENT_BALANCE ->
            Optional.of("ERC20: insufficient balance (balance " + word(b, 1) + ", needed " + word(b, 2) + ")");
        case OWNABLE_UNAUTHORIZED_ACCOUNT -> Optional.of("caller " + address(word(b, 0)) + " is not the owner");
        default -> Optional.of("custom error 0x" + selector);
      };
    } catch (IndexOutOfBoundsException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  private static BigInteger word(byte[] b, int index) {
    int from = 4 + 32 * index;
    if (b.length < from + 32) {
      throw new IndexOutOfBoundsException(from);
    }
    byte[] w = new byte[32];
    System.arraycopy(b, from, w, 0, 32);
    return new BigInteger(1, w);
  }

  private static String address(BigInteger word) {
    if (word.bitLength() > 160) {
      throw new ArithmeticException("not an address");
    }
    return io.jlivepeer.payments.EthAddress.of(String.format("0x%040x", word)).toString();
  }

  private static String errorString(byte[] b) {
    int offset = word(b, 0).intValueExact();
    int lenAt = 4 + offset;
    byte[] lenWord = new byte[32];
    System.arraycopy(b, lenAt, lenWord, 0, 32);
    int len = new BigInteger(1, lenWord).intValueExact();
    if (lenAt + 32 + len > b.length) {
      throw new IndexOutOfBoundsException(len);
    }
    return new String(b, lenAt + 32, len, StandardCharsets.UTF_8);
  }

  static String panic(BigInteger code) {
    String what =
        switch (code.intValue()) {
          case 0x01 -> "assertion failed";
          case 0x11 -> "arithmetic overflow or underflow";
          case 0x12 -> "division or modulo by zero";
          case 0x21 -> "invalid enum value";
          case 0x22 -> "corrupt storage byte array";
          case 0x31 -> "pop on an empty array";
          case 0x32 -> "array index out of bounds";
          case 0x41 -> "out of memory";
          case 0x51 -> "call to an uninitialized function";
          default -> "unknown panic";
        };
    return "panic 0x" + code.toString(16) + " (" + what + ")";
  }

  /** Best effort: the reason from revert data, else from a node message like "execution reverted: X". */
  static Optional<String> fromRpcError(RpcError e) {
    Optional<String> fromData = e.data().flatMap(RevertReasons::decode);
    if (fromData.isPresent()) {
      return fromData;
    }
    String m = e.rpcMessage();
    int i = m.indexOf("execution reverted");
    if (i >= 0) {
      String rest = m.substring(i + "execution reverted".length()).replaceFirst("^[:\\s]+", "");
      return Optional.of(rest.isEmpty() ? "execution reverted (no reason given)" : rest);
    }
    if (m.toLowerCase(java.util.Locale.ROOT).contains("revert")) {
      return Optional.of(m);
    }
    return Optional.empty();
  }
}
