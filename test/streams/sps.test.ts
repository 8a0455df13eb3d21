import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { spsSize } from '../../streams/sps.js';
import { media } from '../support/paths.js';

/** The first access unit of a fresh ffmpeg encode, as Annex-B. */
function encode(codec: 'h264' | 'hevc', size: string, extra: string[] = []): Buffer {
  const enc = codec === 'h264' ? ['-c:v', 'libx264', ...extra] : ['-c:v', 'libx265', '-x265-params', 'log-level=error', ...extra];
  return execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', media('street/road_cars_1s.jpg'), '-vf', `scale=${size}`, '-frames:v', '1', ...enc, '-f', codec, '-'], { maxBuffer: 64 << 20 });
}

describe('spsSize', () => {
  it('reads H.264 sizes, cropping included, in main and high profiles and 4:4:4', () => {
    expect(spsSize('h264', encode('h264', '1920:1080'))).toEqual({ width: 1920, height: 1080 });
    expect(spsSize('h264', encode('h264', '854:480', ['-profile:v', 'main']))).toEqual({ width: 854, height: 480 });
    expect(spsSize('h264', encode('h264', '360:640', ['-profile:v', 'baseline']))).toEqual({ width: 360, height: 640 });
    expect(spsSize('h264', encode('h264', '642:362', ['-pix_fmt', 'yuv444p']))).toEqual({ width: 642, height: 362 });
  });

  it('reads H.265 sizes', () => {
    expect(spsSize('hevc', encode('hevc', '1920:1080'))).toEqual({ width: 1920, height: 1080 });
    expect(spsSize('hevc', encode('hevc', '854:480'))).toEqual({ width: 854, height: 480 });
  });

  it('says nothing for data without an SPS', () => {
    expect(spsSize('h264', Buffer.from([0, 0, 0, 1, 0x65, 1, 2, 3]))).toBeUndefined();
  });
});
