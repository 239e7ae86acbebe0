package io.jlivepeer.chain;

import java.util.Optional;

/** A JSON-RPC error object returned by the node; data holds revert bytes for "execution reverted". */
final class RpcError extends ChainException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final String rpcMessage;
  private final String data;

  RpcError(String method, String url, int code, String rpcMessage, String data) {
    super(method + " at " + url + " failed: " + rpcMessage + " (code " + code + ")");
    this.code = code;
    this.rpcMessage = rpcMessage == null ? "" : rpcMessage;
    this.data = data;
  }

  int code() {
    return code;
  }

  String rpcMessage() {
    return rpcMessage;
  }

  /** The error's data as a hex string when the node sent one. */
  Optional<String> data() {
    return Optional.ofNullable(data);
  }

  boolean messageContains(String text) {
    return rpcMessage.toLowerCase(java.util.Locale.ROOT).contains(text);
  }
}
