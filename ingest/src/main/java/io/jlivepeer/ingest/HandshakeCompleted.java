package io.jlivepeer.ingest;

/** User event fired down the pipeline when the RTMP handshake is over and chunks follow. */
enum HandshakeCompleted {
  INSTANCE
}
