import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { parseCameraUrl, type NetworkCameraUrl } from '../../streams/camera_url.js';
import { ffmpegNetworkInput } from '../../streams/ffmpeg_input.js';
import { LiveRelays } from '../../streams/live.js';
import { openSource } from '../../streams/source.js';
import { startCameraServer, type CameraServer } from '../support/camera_servers.js';
import { serveLiveRelays } from '../support/live_server.js';
import { media } from '../support/paths.js';
import { makeClip, startRtspServer, type RtspServer } from '../support/rtsp.js';

/**
 * No camera credential in any ffmpeg child's argv: every local user can read `/proc/<pid>/cmdline`.
 * Real ffmpeg runs (an RTSP grab, an HLS grab, the live relay of an MJPEG camera) against cameras with
 * Digest auth, a password full of / @ : % ' and a token in the query, with this process' ffmpeg
 * children's command lines read from /proc while they run.
 */
const PASSWORD = "p/w@d:50%'x";
const TOKEN = 'tok3n-s3cret';
const LEAKS = [PASSWORD, encodeURIComponent(PASSWORD), 'p/w@d', 'p%2Fw%40d', 'op:', TOKEN, 'http://', '127.0.0.1:'];

/** Runs `work` while recording every ffmpeg child's command line; returns them. */
async function cmdlinesDuring(work: () => Promise<void>): Promise<string[]> {
  const seen = new Set<string>();
  const poll = setInterval(() => ffmpegChildren().forEach((c) => seen.add(c)), 2);
  try {
    await work();
  } finally {
    clearInterval(poll);
  }
  // The HLS camera stand-in's own ffmpeg (writing the playlist) is a child of this process too.
  return [...seen].filter((c) => !c.includes(' -f hls '));
}

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

  it('an RTSP URL with a token in its query goes on stdin too; argv names only pipe:0', () => {
    const net = ffmpegNetworkInput(parseCameraUrl(`rtsp://cam.example/live?token=${TOKEN}`) as NetworkCameraUrl, { address: '10.0.0.9', family: 4 });
    expect(net.input).toBe('pipe:0');
    expect(net.args.join(' ')).not.toContain(TOKEN);
    expect(net.stdin).toContain(`rtsp://10.0.0.9:554/live?token=${TOKEN}`);
  });

  describe('HTTP cameras', () => {
    let cam: CameraServer;
    beforeAll(async () => {
      const hlsClip = makeClip({ source: media('video/video_road_cars_9s.mp4'), seconds: 6, width: 480, gop: 25 });
      cam = await startCameraServer({ pictures: [media('street/road_cars_1s.jpg')], hlsClip, auth: { user: 'op', password: PASSWORD, method: 'digest' } });
    });
    afterAll(async () => cam?.stop());

    const clean = (lines: string[]) => {
      expect(lines.length, 'an ffmpeg child was seen').toBeGreaterThan(0);
      for (const line of lines) {
        for (const leak of LEAKS) expect(line, line).not.toContain(leak);
        expect(line).toContain('-protocol_whitelist pipe');
      }
    };

    it('HLS: weisu fetches playlist and segment, ffmpeg gets bytes on stdin and no URL', async () => {
      const url = `http://127.0.0.1:${cam.port}/hls/index.m3u8?token=${TOKEN}`;
      const lines = await cmdlinesDuring(async () => {
        const source = openSource({ cameraId: 'hls-argv', url, username: 'op', password: PASSWORD, connectTimeoutMs: 20_000, frameTimeoutMs: 20_000 });
        const frame = await source.grab();
        await source.close();
        expect(frame.width).toBe(480);
      });
      clean(lines);
    });

    it('live relay of an MJPEG camera: weisu fetches it, ffmpeg gets JPEGs on stdin and no URL', async () => {
      const relays = new LiveRelays({ resolve: () => ({ url: `http://127.0.0.1:${cam.port}/mjpeg?token=${TOKEN}`, username: 'op', password: PASSWORD }), maxRelays: 1, width: 320, lingerMs: 100 });
      const { server } = await serveLiveRelays(relays);
      try {
        const lines = await cmdlinesDuring(async () => {
          const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/live/mjpeg-argv`);
          // Video bytes arrive: the relay's ffmpeg is running and decoding what weisu feeds it.
          await new Promise<void>((resolve, reject) => {
            ws.once('message', () => resolve());
            ws.once('close', (code, reason) => reject(new Error(`relay closed ${code} ${reason.toString()}`)));
          });
          ws.close();
        });
        clean(lines);
      } finally {
        await relays.close();
        await new Promise((r) => server.close(r));
      }
    });
  });
});
