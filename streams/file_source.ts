import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Frame } from '../core/types.js';
import type { GrabInfo, Source } from './source.js';
import { StreamError } from './errors.js';
import { probeFile, type MediaInfo } from './ffmpeg.js';
import { grabPicture } from './ffmpeg_grab.js';
import { pictureSettings, type ResolvedOptions } from './options.js';

/** A `file://` URL or a plain path, as a path. */
export function filePath(url: string): string {
  return url.startsWith('file:') ? fileURLToPath(url) : url;
}

/**
 * A recorded file played as if it were a live camera: the position is the time elapsed since `epochMs`
 * (wrapped when looping), and a frame's timestamp is the wall-clock time that position stands for
 * (epoch + loops × duration + media ms): what a person sees is today's time, not media time from 1970,
 * and it keeps rising across loops so dwell logic never sees time run backwards. Media time alone
 * belongs to replay (file_frames.ts).
 */
export class FileSource implements Source {
  readonly kind = 'file' as const;
  lastGrab?: GrabInfo;
  private readonly path: string;
  private readonly epoch: number;
  private info?: Promise<MediaInfo>;

  constructor(private readonly o: ResolvedOptions) {
    this.path = filePath(o.url);
    if (!existsSync(this.path) || !statSync(this.path).isFile()) {
      throw new StreamError('not_found', `video file ${o.what} does not exist`, { fix: 'give the path of a readable video file (absolute, or relative to the working directory)' });
    }
    this.epoch = o.epochMs ?? o.now();
  }

  /** Media position and monotonic timestamp for wall time `at`. */
  position(at: number, info: MediaInfo): { mediaMs: number; ts: number } {
    const elapsed = Math.max(0, at - this.epoch);
    const dur = info.durationMs;
    if (!dur) return { mediaMs: elapsed, ts: this.epoch + elapsed };
    if (!this.o.loop && elapsed >= dur) throw new StreamError('ended', `${this.o.what}: the file ended (${dur} ms) and loop is off`);
    const loops = Math.floor(elapsed / dur);
    // Seeking onto the very end finds no frame: stay a couple of frames inside the file.
    const margin = info.fps ? 2000 / info.fps : 80;
    const mediaMs = Math.min(elapsed - loops * dur, Math.max(0, dur - margin));
    return { mediaMs, ts: this.epoch + loops * dur + mediaMs };
  }

  async grab(signal?: AbortSignal): Promise<Frame> {
    const started = this.o.now();
    this.info ??= probeFile(this.path).catch((e: unknown) => {
      this.info = undefined;
      if (e instanceof Error && e.name === 'MissingDependencyError') throw e;
      throw new StreamError('bad_data', `${this.o.what} is not a video ffmpeg can read: ${e instanceof Error ? e.message.split('\n').at(-2) ?? e.message : String(e)}`);
    });
    const info = await this.info;
    const { mediaMs, ts } = this.position(this.o.now(), info);
    const pic = await grabPicture({
      inputArgs: ['-ss', (mediaMs / 1000).toFixed(3)],
      input: this.path,
      ...pictureSettings(this.o),
      signal,
    });
    this.lastGrab = { codec: info.codec ?? pic.codec, latencyMs: this.o.now() - started };
    return { cameraId: this.o.cameraId, ts, width: pic.width, height: pic.height, jpeg: pic.jpeg, pixels: pic.pixels };
  }

  /** A file's picture comes out of one ffmpeg run with its JPEG: nothing to save by leaving it out. */
  sample(signal?: AbortSignal): Promise<Frame> {
    return this.grab(signal);
  }

  async close(): Promise<void> {}
}
