import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../streams/source.js';
import { media } from '../support/paths.js';
import { makeClip, startRtspServer, type RtspServer } from '../support/rtsp.js';

/**
 * No camera credential in any ffmpeg child's argv: every local user can read `/proc/<pid>/cmdline`.
 * A real ffmpeg grab of an RTSP camera with Digest auth and a password full of / @ : % ', with this
 * process' ffmpeg children's command lines read from /proc while the grab runs.
 */
const PASSWORD = "p/w@d:50%'x";

function ffmpegChildren(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (/ffmpeg|ffprobe/.test(cmd)) out.push(cmd);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

describe('ffmpeg argv carries no credentials', () => {
  let rtsp: RtspServer;
  beforeAll(async () => {
    const clip = makeClip({ source: media('video/video_road_cars_9s.mp4'), seconds: 4, width: 640, gop: 25 });
    rtsp = await startRtspServer({ mounts: [{ path: '/cam', file: clip }], auth: { user: 'op', password: PASSWORD, method: 'digest' } });
  });
  afterAll(async () => rtsp?.stop());

  it('reads the camera through ffmpeg with the password on stdin, never in /proc/<pid>/cmdline', async () => {
    const seen = new Set<string>();
    const poll = setInterval(() => ffmpegChildren().forEach((c) => seen.add(c)), 2);
    try {
      const source = openSource({ cameraId: 'argv', url: `rtsp://127.0.0.1:${rtsp.port}/cam`, username: 'op', password: PASSWORD, rtspClient: 'ffmpeg', connectTimeoutMs: 20_000, frameTimeoutMs: 20_000 });
      const frame = await source.grab();
      await source.close();
      expect(frame.width).toBe(640);
    } finally {
      clearInterval(poll);
    }
    const lines = [...seen];
    expect(lines.length, 'an ffmpeg child was seen').toBeGreaterThan(0);
    for (const line of lines) {
      for (const leak of [PASSWORD, encodeURIComponent(PASSWORD), 'p/w@d', 'p%2Fw%40d', 'op:']) expect(line).not.toContain(leak);
      expect(line).toContain('pipe:0');
    }
  });
});
