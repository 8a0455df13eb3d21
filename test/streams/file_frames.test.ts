import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readFileFrames } from '../../streams/file_frames.js';
import { runningFfmpegCount } from '../../streams/ffmpeg.js';
import { StreamError } from '../../streams/errors.js';
import { media } from '../support/paths.js';
import { makeClip } from '../support/rtsp.js';

describe('readFileFrames', () => {
  const video = media('video/video_road_cars_9s.mp4');

  it('yields one frame per step of media time, with media timestamps and an inference copy', async () => {
    const frames = [];
    for await (const f of readFileFrames(video, { cameraId: 'replay', everyMs: 1000, inferenceLongSide: 416 })) frames.push(f);
    // 30 fps: the first frame at or after each whole second.
    expect(frames.map((f) => f.ts)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]);
    for (const f of frames) {
      expect([f.cameraId, f.width, f.height]).toEqual(['replay', 1280, 720]);
      expect(f.pixels).toMatchObject({ width: 416, height: 234, channels: 3 });
      expect(f.pixels!.data.length).toBe(416 * 234 * 3);
    }
    // Moving traffic: consecutive frames differ, and each JPEG decodes.
    expect(frames[0]!.jpeg.equals(frames[1]!.jpeg)).toBe(false);
    expect((await sharp(frames[4]!.jpeg).metadata()).width).toBe(1280);
  });

  it('keeps the grid when the step is not a multiple of the frame interval', async () => {
    const clip = makeClip({ source: video, seconds: 3, width: 320, fps: 10, gop: 10 });
    const ts: number[] = [];
    for await (const f of readFileFrames(clip, { cameraId: 'c', everyMs: 250 })) ts.push(f.ts);
    // 10 fps frames at 0, 100, 200...: the first at or after 0, 250, 500, 750... → 0, 300, 500, 800, ...
    expect(ts.slice(0, 6)).toEqual([0, 300, 500, 800, 1000, 1300]);
    expect(ts.length).toBe(12);
  });

  it('stops ffmpeg when the reader breaks off', async () => {
    for await (const f of readFileFrames(video, { cameraId: 'c', everyMs: 100, inferenceLongSide: 320 })) {
      expect(f.ts).toBe(0);
      break;
    }
    expect(runningFfmpegCount()).toBe(0);
  });

  it('names the path for a missing file or one that is not a video', async () => {
    const first = async (p: string) => {
      for await (const f of readFileFrames(p, { cameraId: 'c', everyMs: 1000 })) return f;
    };
    await expect(first('/no/such/video.mp4')).rejects.toMatchObject({ reason: 'not_found', field: 'path' });
    await expect(first(media('PROVENANCE.md'))).rejects.toBeInstanceOf(StreamError);
  });
});
