import { WeisuError } from '../core/errors.js';
import { redactText } from './redact.js';

/**
 * Why a camera gave no frame. Health, retries and operators' messages all key on this, so each reason
 * is one thing a person can act on.
 */
export type StreamErrorReason =
  | 'bad_url' // not a URL or path weisu can read
  | 'blocked' // refused by the URL policy (scheme or network not allowed)
  | 'unsupported' // reachable, but not a camera weisu can read (web page, audio only, unknown codec)
  | 'not_found' // 404, missing file, unknown RTSP path
  | 'auth_failed' // 401/403: wrong or missing credentials
  | 'unreachable' // refused, no route, DNS failure
  | 'connect_timeout' // no answer within the connect timeout
  | 'no_frame' // connected, but no picture within the frame timeout (stalled or silent source)
  | 'bad_data' // answered with bytes that are not a picture or video
  | 'disconnected' // the source dropped the connection before a picture arrived
  | 'ended' // a file (without loop) is over
  | 'aborted' // the caller cancelled
  | 'stuck' // its sample froze the worker process holding it (no heartbeat): that worker was killed and replaced
  | 'failed'; // anything else ffmpeg or the server reported

const FIX: Record<StreamErrorReason, string> = {
  bad_url: 'give rtsp://, rtsps://, http(s):// (JPEG snapshot, MJPEG or .m3u8) or a path to a video file',
  blocked: 'use an allowed scheme and a host inside streams.allow_networks, or ask the operator to allow that network',
  unsupported: 'check the URL points at the camera stream itself (not its web page) and that the stream carries video',
  not_found: 'check the path of the URL (the stream or snapshot path of the camera or NVR channel) or the file path',
  auth_failed: 'check username and password (in the URL or the username/password fields) and that the account may view this stream',
  unreachable: 'check host and port, and that the camera is powered and reachable from the worker',
  connect_timeout: 'check the camera is up and reachable from the worker; raise streams.connect_timeout for slow links',
  no_frame: 'the camera answered but sent no picture in time: check it is streaming, or raise streams.frame_timeout for long keyframe intervals',
  bad_data: 'the server answered with something that is not a picture or video: check the URL',
  disconnected: 'the camera dropped the connection: check its stream limit (many cameras allow few clients) and the network',
  ended: 'set loop: true to replay the file, or give a live camera',
  aborted: 'nothing to fix: the read was cancelled',
  stuck: 'what this camera sent froze the worker sampling it; weisu replaced that worker and tries the camera again later: check the camera, and report its make and firmware to weisu (no camera should be able to do this)',
  failed: 'see the message; check the URL with `weisu cameras probe URL`',
};

export class StreamError extends WeisuError {
  readonly reason: StreamErrorReason;
  constructor(reason: StreamErrorReason, message: string, opts: { field?: string; fix?: string; cause?: unknown } = {}) {
    super(`stream_${reason}`, redactText(message), { field: opts.field ?? 'url', fix: opts.fix ?? FIX[reason], cause: opts.cause });
    this.reason = reason;
  }
}

const STDERR_PATTERNS: [RegExp, StreamErrorReason][] = [
  [/\b40[13]\b|Unauthorized|Forbidden/i, 'auth_failed'],
  [/\b404\b|Not Found|No such file or directory/i, 'not_found'],
  [/Connection refused|No route to host|Network is unreachable|Name or service not known|Failed to resolve hostname|Temporary failure in name resolution|Cannot assign requested address/i, 'unreachable'],
  [/Connection timed out|timed out/i, 'connect_timeout'],
  [/Decoder \(codec [^)]*\) not found|Unsupported codec|does not contain any stream|matches no streams|Could not find codec parameters|no video stream/i, 'unsupported'],
  [/Invalid data found when processing input|moov atom not found|invalid header|Unknown input format|could not find sync|non-existing PPS|Error parsing/i, 'bad_data'],
  [/Connection reset by peer|Broken pipe|End of file|Server returned 5\d\d/i, 'disconnected'],
];

/** Maps ffmpeg's stderr (last lines matter most) onto a reason and a short redacted message. */
export function classifyFfmpegError(stderr: string, what: string): StreamError {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/\[[\w\s-]+ @ 0x[0-9a-f]+\]\s*/g, '').trim())
    .filter((l) => l && !/^(Input #|Output #|Stream #|Duration:|Metadata:|\w+\s*:|Press \[q\]|frame=)/.test(l));
  for (const [re, reason] of STDERR_PATTERNS) {
    const hit = lines.find((l) => re.test(l));
    if (hit) return new StreamError(reason, `${what}: ${hit}`);
  }
  const last = lines.at(-1);
  return new StreamError('failed', `${what}: ${last ?? 'ffmpeg ended without a picture'}`);
}

/** Reasons that will not fix themselves by retrying soon (the camera or its settings must change). */
export function isPermanent(reason: StreamErrorReason): boolean {
  // A camera that froze a worker would freeze the next one just as soon: it waits like the permanent ones.
  return reason === 'auth_failed' || reason === 'unsupported' || reason === 'bad_url' || reason === 'blocked' || reason === 'not_found' || reason === 'stuck';
}
