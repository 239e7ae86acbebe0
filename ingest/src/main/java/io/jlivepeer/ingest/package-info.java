/**
 * Ingest: how live video enters a broadcaster node. Today an RTMP server ({@link io.jlivepeer.ingest.RtmpServer})
 * for publishers such as ffmpeg, OBS (librtmp) and GStreamer's rtmp2sink, publishing to
 * {@code rtmp://host:1935/live/<manifestID>[/<streamKey>]} (or {@code /stream/...}); H.264 video and AAC audio
 * only, anything else is refused with a reason.
 *
 * <h2>Pipeline (one per connection, in order)</h2>
 * <ol>
 *   <li>{@code IdleStateHandler}: closes a connection silent for {@link io.jlivepeer.ingest.RtmpConfig#idleTimeout()}.
 *   <li>{@code RtmpServerHandshake}: C0/C1 in, S0/S1/S2 out, C2 in (RTMP spec 5.2, simple handshake, version 3),
 *       within {@link io.jlivepeer.ingest.RtmpConfig#handshakeTimeout()}; then removes itself.
 *   <li>{@code RtmpChunkDecoder}: chunks to messages (spec 5.3) with an explicit state enum ending in
 *       {@code BAD_MESSAGE}; handles Set Chunk Size and Abort; enforces the chunk-size, message-length and
 *       chunk-stream limits before allocating.
 *   <li>{@code RtmpChunkEncoder}: messages to chunks on the way out.
 *   <li>{@code RtmpControlHandler}: Window Acknowledgement Size / Acknowledgement, Set Peer Bandwidth, ping.
 *   <li>{@code RtmpSessionHandler}: AMF0 commands (connect, releaseStream, FCPublish, createStream, publish,
 *       FCUnpublish, deleteStream, closeStream), {@code @setDataFrame}/{@code onMetaData}, FLV audio/video tag
 *       bodies ({@code FlvTagParser}) to {@link io.jlivepeer.ingest.StreamSink} calls. As the last handler it
 *       receives every protocol error raised upstream, logs it once at WARN with the remote address and stream,
 *       and closes the connection.
 * </ol>
 *
 * <h2>Thread model</h2>
 * One acceptor thread ({@code rtmp-accept}) and {@link io.jlivepeer.ingest.RtmpConfig#ioThreads()} event loop
 * threads ({@code rtmp-io-*}). A connection lives on one event loop for its whole life, so its handlers need no
 * locks. The only state shared between loops is the set of live manifest ids ({@code PublishRegistry}, a
 * concurrent map with an atomic count for {@code maxStreams}). The event loop does socket I/O, chunk
 * reassembly, AMF0 parsing and one copy of each frame's bytes into the {@link io.jlivepeer.media.EsFrame} handed
 * to the sink, nothing heavier; {@link io.jlivepeer.ingest.PublishListener} and
 * {@link io.jlivepeer.ingest.StreamSink} run on it too and must enqueue work elsewhere rather than block.
 * The test/benchmark client {@link io.jlivepeer.ingest.RtmpPublisher} follows the same rule: it runs on a
 * caller-owned event loop group and paces tags with event loop timers, never sleeping.
 *
 * <h2>Errors</h2>
 * {@link io.jlivepeer.ingest.IngestException} is the module's root. Protocol errors close the connection with a
 * logged reason; the publisher gets an {@code onStatus} error when a reason is worth telling it (refused publish,
 * unsupported codec). I/O errors such as resets are routine and logged at debug.
 */
package io.jlivepeer.ingest;
