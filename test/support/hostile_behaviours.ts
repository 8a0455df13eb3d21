import type { StreamErrorReason } from '../../streams/errors.js';

/** A grab through ffmpeg (other codecs) ends on one of its deadlines or on ffmpeg's own error. */
const FFMPEG_ENDS: StreamErrorReason[] = ['connect_timeout', 'no_frame', 'failed', 'bad_data', 'unsupported', 'disconnected', 'unreachable'];

/**
 * What the hostile camera (hostile_camera_server.ts) can do, by name. `scheme` says which server answers
 * and how a camera URL for it looks: rtsp://…/name, http://…/name.jpg (snapshot), http://…/name (MJPEG),
 * http://…/name.m3u8 (HLS). `reasons`: the health reasons probe and worker may end with (the same source
 * underneath), with the camera's policy allowing 127.0.0.1/32 only (so 127.0.0.2 is "another host"). HLS
 * behaviours may also end on the connect timeout (2 s in the suite) when the machine is loaded: weisu reads
 * a playlist, maybe a variant, then a segment's answer within it.
 * test/streams/hostile_camera.test.ts holds each behaviour to them; docs/security.md "Behaviours tried"
 * is rendered from this table (test/streams/hostile_table.test.ts checks it is current).
 */
export const HOSTILE = {
  // RTSP replies
  rtsp_content_length_nan: { scheme: 'rtsp', does: 'Content-Length: abc (the bug that froze serve)', reasons: ['bad_data'] },
  rtsp_content_length_negative: { scheme: 'rtsp', does: 'Content-Length: -5', reasons: ['bad_data'] },
  rtsp_content_length_huge: { scheme: 'rtsp', does: 'Content-Length: 99999999999', reasons: ['bad_data'] },
  rtsp_endless_header_lines: { scheme: 'rtsp', does: 'header lines that never end, as fast as read', reasons: ['bad_data'] },
  rtsp_giant_header: { scheme: 'rtsp', does: 'one header of 8 MB', reasons: ['bad_data'] },
  rtsp_slowloris: { scheme: 'rtsp', does: 'a reply at one byte per second', reasons: ['connect_timeout'] },
  rtsp_reply_flood: { scheme: 'rtsp', does: 'endless replies with a CSeq nobody sent', reasons: ['bad_data'] },
  rtsp_garbage: { scheme: 'rtsp', does: 'random bytes instead of RTSP', reasons: ['bad_data'] },
  rtsp_401_loop: { scheme: 'rtsp', does: '401 with a fresh Digest challenge to every request', reasons: ['auth_failed'] },
  rtsp_redirect_loop: { scheme: 'rtsp', does: '302 to itself, forever', reasons: FFMPEG_ENDS },
  rtsp_redirect_other_host: { scheme: 'rtsp', does: '302 to another host (127.0.0.2)', reasons: ['blocked'] },
  rtsp_redirect_then_ffmpeg: { scheme: 'rtsp', does: '302 to a stream in a codec only ffmpeg reads (the fallback must open the checked target)', reasons: FFMPEG_ENDS },
  // SDP
  rtsp_giant_sdp: { scheme: 'rtsp', does: 'DESCRIBE body of 64 MB announced and streamed', reasons: ['bad_data'] },
  rtsp_sdp_many_lines: { scheme: 'rtsp', does: 'an SDP of 6000 lines (under the byte cap)', reasons: ['bad_data'] },
  rtsp_sdp_no_tracks: { scheme: 'rtsp', does: 'an SDP with no media at all', reasons: ['unsupported'] },
  rtsp_sdp_absurd_tracks: { scheme: 'rtsp', does: 'video on RTP payload type 99999999', reasons: ['bad_data'] },
  rtsp_wrong_codec_mjpeg: { scheme: 'rtsp', does: 'RTP/JPEG (payload 26) carrying random bytes', reasons: FFMPEG_ENDS },
  rtsp_unknown_codec: { scheme: 'rtsp', does: 'a codec nobody knows (X-WEIRD) carrying random bytes', reasons: FFMPEG_ENDS },
  // Interleaved RTP, H.264 units and fragments
  rtsp_interleaved_flood: { scheme: 'rtsp', does: 'interleaved RTP as fast as read, never a keyframe', reasons: ['no_frame'] },
  rtsp_endless_fua: { scheme: 'rtsp', does: 'one FU-A keyframe fragment that never ends (no end bit, no marker)', reasons: ['no_frame'] },
  rtsp_truncated_keyframe: { scheme: 'rtsp', does: 'half a keyframe, then hangs up', reasons: ['disconnected'] },
  // HTTP snapshots
  http_content_length_huge: { scheme: 'snapshot', does: 'Content-Length: 99999999999, body as fast as read', reasons: ['bad_data'] },
  http_giant_header: { scheme: 'snapshot', does: 'one header of 8 MB', reasons: ['bad_data'] },
  http_endless_headers: { scheme: 'snapshot', does: 'header lines that never end, one every 20 ms', reasons: ['connect_timeout'] },
  http_slowloris: { scheme: 'snapshot', does: 'headers at one byte per second', reasons: ['connect_timeout'] },
  http_never_ending_body: { scheme: 'snapshot', does: 'a body at one byte per second that never ends', reasons: ['no_frame'] },
  http_zero_byte: { scheme: 'snapshot', does: '200 image/jpeg with an empty body', reasons: ['bad_data'] },
  http_chunked_absurd: { scheme: 'snapshot', does: 'chunked encoding with a chunk size of 2^76', reasons: ['bad_data'] },
  http_redirect_loop: { scheme: 'snapshot', does: '302 to itself, forever', reasons: ['failed'] },
  http_redirect_other_host: { scheme: 'snapshot', does: '302 to another host (127.0.0.2)', reasons: ['blocked'] },
  // Pictures
  jpeg_pixel_bomb: { scheme: 'snapshot', does: 'a 700-byte JPEG declaring 16000x16000', reasons: ['bad_data'] },
  png_decompression_bomb: { scheme: 'snapshot', does: 'a small PNG that inflates to 15000x15000', reasons: ['bad_data'] },
  jpeg_truncated: { scheme: 'snapshot', does: 'the first half of a JPEG', reasons: ['bad_data'] },
  // MJPEG
  mjpeg_no_boundary: { scheme: 'mjpeg', does: 'multipart without a boundary, parts of text', reasons: ['no_frame'] },
  mjpeg_huge_part: { scheme: 'mjpeg', does: 'a part with Content-Length 99999999999: a JPEG that never ends', reasons: ['no_frame', 'bad_data'] },
  mjpeg_endless_multipart: { scheme: 'mjpeg', does: 'endless empty parts, no picture', reasons: ['no_frame'] },
  // HLS
  hls_endless_playlist: { scheme: 'hls', does: 'a playlist that never ends', reasons: ['bad_data', 'connect_timeout'] },
  hls_huge_playlist: { scheme: 'hls', does: 'a 10 MB playlist of 400 000 segments', reasons: ['bad_data', 'connect_timeout'] },
  hls_playlist_elsewhere: { scheme: 'hls', does: 'segments on another host (127.0.0.2)', reasons: ['blocked', 'connect_timeout'] },
  hls_variant_elsewhere: { scheme: 'hls', does: 'a master playlist whose variant is on another host (127.0.0.2)', reasons: ['blocked', 'connect_timeout'] },
  hls_playlist_redirect_loop: { scheme: 'hls', does: 'the playlist 302s to itself, forever', reasons: ['failed', 'connect_timeout'] },
  hls_huge_segment: { scheme: 'hls', does: 'a segment declaring 99999999999 bytes, TS null packets as fast as read', reasons: ['bad_data', 'connect_timeout'] },
  hls_segment_not_ts: { scheme: 'hls', does: 'a segment of random bytes, not MPEG-TS', reasons: ['bad_data', 'connect_timeout'] },
} as const satisfies Record<string, { scheme: 'rtsp' | 'snapshot' | 'mjpeg' | 'hls'; does: string; reasons: readonly StreamErrorReason[] }>;

export type HostileName = keyof typeof HOSTILE;
export type HostileScheme = (typeof HOSTILE)[HostileName]['scheme'];
