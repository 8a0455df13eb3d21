/**
 * Every limit weisu puts on bytes a camera sends, in one place (listed in docs/security.md, "Caps").
 * A camera is hostile until proven otherwise: each parser checks lengths against these before it trusts
 * them, and holds at most these many bytes per connection. Each cap sits far above what real cameras send,
 * so only broken or hostile ones ever meet it, and meeting it is a `bad_data` stream error, never a stall.
 * In core/ because streams/ (parsers), detector/ and align/ (decoders) all enforce them.
 */

// RTSP (streams/rtsp_client.ts)
/** One reply's status line and headers. Real replies are a few hundred bytes; WWW-Authenticate is the longest. */
export const RTSP_MAX_HEADER_BYTES = 64 * 1024;
/** One reply's body (only DESCRIBE has one: the SDP, 1–20 kB even for NVRs with many channels). */
export const RTSP_MAX_BODY_BYTES = 64 * 1024;
/** Replies (auth challenges included) before a keyframe: a handshake needs 4 to 7; more is a loop. */
export const RTSP_MAX_REPLIES = 16;

// SDP (streams/sdp.ts)
/** Lines of one SDP: a camera announces a handful of tracks of ~10 lines each. */
export const SDP_MAX_LINES = 1000;

// RTP, H.264/H.265 (streams/rtp_keyframe.ts, streams/sps.ts). Interleaved frames are at most 65 535 bytes by their 16-bit length.
/** One access unit being assembled, fragments in progress included: an 8K intra picture is ~4 MB. */
export const RTP_MAX_ACCESS_UNIT_BYTES = 16 * 1024 * 1024;
/** One parameter set (VPS/SPS/PPS): real ones are under 200 bytes, even with VUI and scaling lists. */
export const H26X_MAX_PARAMETER_SET_BYTES = 4 * 1024;
/** Bytes of an SEI unit read looking for a recovery point (it comes first; the rest is user data). */
export const H26X_MAX_SEI_SCAN_BYTES = 4 * 1024;

// Pictures (streams/pictures.ts, streams/jpeg.ts, streams/keyframe_decoder.ts, detector/, api calibration uploads)
/** Pixels of one picture before anything decodes it: an 8K camera (33 MP) passes, a pixel bomb does not. */
export const MAX_PICTURE_PIXELS = 50_000_000;
/** Bytes of one encoded picture (HTTP snapshot body, one MJPEG part): an 8K JPEG at top quality is ~15 MB. */
export const MAX_PICTURE_BYTES = 32 * 1024 * 1024;

// HLS (streams/hls_playlist.ts, streams/hls_reader.ts): weisu reads playlists and segments itself; ffmpeg gets the bytes.
/** One playlist (master or media): a live one lists a few segments (1–5 kB); a long event playlist of 10 000 segments is ~500 kB. */
export const HLS_MAX_PLAYLIST_BYTES = 1024 * 1024;
/** One segment (and its init section) read for a picture: 10 s of 4K at 50 Mbit/s is 62 MB; reading stops at the first keyframe anyway. */
export const HLS_MAX_SEGMENT_BYTES = 64 * 1024 * 1024;

// Time
/**
 * One grab, fallbacks included (weisu's RTSP client, then ffmpeg, then ffmpeg with a longer probe), ends
 * within this many times (connect timeout + frame timeout): each step has its own deadline, this bounds their sum.
 */
export const GRAB_BUDGET_FACTOR = 2;
