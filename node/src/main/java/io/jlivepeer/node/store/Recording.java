package io.jlivepeer.node.store;

/**
 * A finished recording in the record store: a VOD HLS master playlist and, under it, one VOD media playlist and its
 * segments per rendition (source included).
 *
 * @param manifestId the stream's HLS name (its playbackId when streams come from the API)
 * @param sessionId the publish session the recording is of
 * @param masterKey the store key of the master playlist: {@code <manifestId>/<sessionId>/index.m3u8}
 * @param url where B serves it: {@code http://<B's HTTP address>/recordings/<manifestId>/<sessionId>/index.m3u8}
 * @param durationSeconds the recorded source's duration
 * @param segments source segments recorded
 */
public record Recording(
    String manifestId, String sessionId, String masterKey, String url, double durationSeconds, int segments) {}
