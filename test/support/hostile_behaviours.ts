/**
 * What the hostile camera (hostile_camera_server.ts) can do, by name. `scheme` says which server answers
 * and how a camera URL for it looks: rtsp://…/name, http://…/name.jpg (snapshot), http://…/name (MJPEG),
 * http://…/name.m3u8 (HLS).
 */
export const HOSTILE = {
  // RTSP replies
  rtsp_content_length_nan: { scheme: 'rtsp', does: 'Content-Length: abc (the bug that froze serve)' },
  rtsp_content_length_negative: { scheme: 'rtsp', does: 'Content-Length: -5' },
  rtsp_content_length_huge: { scheme: 'rtsp', does: 'Content-Length: 99999999999' },
  rtsp_endless_header_lines: { scheme: 'rtsp', does: 'header lines that never end, as fast as read' },
  rtsp_giant_header: { scheme: 'rtsp', does: 'one header of 8 MB' },
  rtsp_slowloris: { scheme: 'rtsp', does: 'a reply at one byte per second' },
  rtsp_reply_flood: { scheme: 'rtsp', does: 'endless replies with a CSeq nobody sent' },
  rtsp_garbage: { scheme: 'rtsp', does: 'random bytes instead of RTSP' },
  rtsp_401_loop: { scheme: 'rtsp', does: '401 with a fresh Digest challenge to every request' },
  rtsp_redirect_loop: { scheme: 'rtsp', does: '302 to itself, forever' },
  rtsp_redirect_other_host: { scheme: 'rtsp', does: '302 to another host (127.0.0.2)' },
  // SDP
  rtsp_giant_sdp: { scheme: 'rtsp', does: 'DESCRIBE body of 64 MB announced and streamed' },
  rtsp_sdp_many_lines: { scheme: 'rtsp', does: 'an SDP of 6000 lines (under the byte cap)' },
  rtsp_sdp_no_tracks: { scheme: 'rtsp', does: 'an SDP with no media at all' },
  rtsp_sdp_absurd_tracks: { scheme: 'rtsp', does: 'video on RTP payload type 99999999' },
  rtsp_wrong_codec_mjpeg: { scheme: 'rtsp', does: 'RTP/JPEG (payload 26) carrying random bytes' },
  rtsp_unknown_codec: { scheme: 'rtsp', does: 'a codec nobody knows (X-WEIRD) carrying random bytes' },
  // Interleaved RTP, H.264 units and fragments
  rtsp_interleaved_flood: { scheme: 'rtsp', does: 'interleaved RTP as fast as read, never a keyframe' },
  rtsp_endless_fua: { scheme: 'rtsp', does: 'one FU-A keyframe fragment that never ends (no end bit, no marker)' },
  rtsp_truncated_keyframe: { scheme: 'rtsp', does: 'half a keyframe, then hangs up' },
  // HTTP snapshots
  http_content_length_huge: { scheme: 'snapshot', does: 'Content-Length: 99999999999, body as fast as read' },
  http_giant_header: { scheme: 'snapshot', does: 'one header of 8 MB' },
  http_endless_headers: { scheme: 'snapshot', does: 'header lines that never end, one every 20 ms' },
  http_slowloris: { scheme: 'snapshot', does: 'headers at one byte per second' },
  http_never_ending_body: { scheme: 'snapshot', does: 'a body at one byte per second that never ends' },
  http_zero_byte: { scheme: 'snapshot', does: '200 image/jpeg with an empty body' },
  http_chunked_absurd: { scheme: 'snapshot', does: 'chunked encoding with a chunk size of 2^76' },
  http_redirect_loop: { scheme: 'snapshot', does: '302 to itself, forever' },
  http_redirect_other_host: { scheme: 'snapshot', does: '302 to another host (127.0.0.2)' },
  // Pictures
  jpeg_pixel_bomb: { scheme: 'snapshot', does: 'a 700-byte JPEG declaring 16000x16000' },
  png_decompression_bomb: { scheme: 'snapshot', does: 'a small PNG that inflates to 15000x15000' },
  jpeg_truncated: { scheme: 'snapshot', does: 'the first half of a JPEG' },
  // MJPEG
  mjpeg_no_boundary: { scheme: 'mjpeg', does: 'multipart without a boundary, parts of text' },
  mjpeg_huge_part: { scheme: 'mjpeg', does: 'a part with Content-Length 99999999999: a JPEG that never ends' },
  mjpeg_endless_multipart: { scheme: 'mjpeg', does: 'endless empty parts, no picture' },
  // HLS
  hls_endless_playlist: { scheme: 'hls', does: 'a playlist that never ends' },
  hls_huge_playlist: { scheme: 'hls', does: 'a 10 MB playlist of 400 000 segments' },
  hls_playlist_elsewhere: { scheme: 'hls', does: 'segments on another host (127.0.0.2)' },
} as const satisfies Record<string, { scheme: 'rtsp' | 'snapshot' | 'mjpeg' | 'hls'; does: string }>;

export type HostileName = keyof typeof HOSTILE;
export type HostileScheme = (typeof HOSTILE)[HostileName]['scheme'];
