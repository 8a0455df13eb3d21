import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { WeisuError } from '../core/errors.js';
import type { Manifest } from './manifest.js';

/**
 * Downloads a pinned model file: into `<file>.part`, resuming with an HTTP Range request after a dropped
 * connection, retrying transient failures with backoff, and only after its sha256 matches the manifest
 * renaming it into place (atomic on one filesystem). A half or wrong file is never left under the real
 * name, so a worker can never load one.
 */
export interface PullOptions {
  manifest: Manifest;
  modelsDir: string;
  /** Fetch from this base URL + file name instead of the manifest's url (a local mirror). */
  mirror?: string;
  /** Attempts after the first (default 4). */
  retries?: number;
  retryDelayMs?: number;
  onProgress?(received: number, total: number | undefined): void;
  signal?: AbortSignal;
}

export interface PullResult {
  path: string;
  bytes: number;
  /** The file was already in place and verified; nothing was downloaded. */
  alreadyPresent: boolean;
  attempts: number;
  resumed: boolean;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

export type FileStatus = 'verified' | 'missing' | 'checksum_mismatch';

export async function checkModelFile(modelsDir: string, m: Manifest): Promise<{ status: FileStatus; path: string; bytes?: number; sha256?: string }> {
  const path = join(modelsDir, m.file);
  if (!existsSync(path)) return { status: 'missing', path };
  const sha256 = await sha256File(path);
  return { status: sha256 === m.sha256 ? 'verified' : 'checksum_mismatch', path, bytes: statSync(path).size, sha256 };
}

/** A failure worth another attempt (network, 5xx, 429), as opposed to one that will not change. */
class Transient extends Error {}
class Oversize extends Error {}

function sourceUrl(o: PullOptions): string {
  if (o.mirror) return new URL(o.manifest.file, o.mirror.endsWith('/') ? o.mirror : `${o.mirror}/`).href;
  if (o.manifest.url) return o.manifest.url;
  throw new WeisuError('model_no_url', `model ${o.manifest.id} has no download URL`, {
    field: 'url',
    fix: `place ${o.manifest.file} in ${o.modelsDir} by hand (source: ${o.manifest.source ?? 'see its manifest'}), or pull from a mirror with --from URL`,
  });
}

/** One HTTP attempt, appending to `part` from its current size. Returns the total size when known. */
async function fetchInto(url: string, part: string, o: PullOptions): Promise<void> {
  const offset = existsSync(part) ? statSync(part).size : 0;
  let res: Response;
  try {
    res = await fetch(url, { headers: offset ? { range: `bytes=${offset}-` } : {}, signal: o.signal, redirect: 'follow' });
  } catch (e) {
    if (o.signal?.aborted) throw e;
    throw new Transient(`cannot reach ${url}: ${(e as Error).cause ?? (e as Error).message}`);
  }
  if (res.status === 416 && offset > 0) return; // the part is already whole; the checksum decides
  if (res.status >= 500 || res.status === 429 || res.status === 408) throw new Transient(`${url} answered HTTP ${res.status}`);
  if (res.status !== 200 && res.status !== 206) {
    throw new WeisuError('model_download_failed', `${url} answered HTTP ${res.status}`, { field: 'url', fix: 'check the manifest url or the --from mirror' });
  }
  const resumed = res.status === 206;
  if (!resumed && offset) rmSync(part); // the server ignored the range: start over
  const length = Number(res.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? length + (resumed ? offset : 0) : o.manifest.size;
  let received = resumed ? offset : 0;
  o.onProgress?.(received, total);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      // A server sending more than the pinned size is not sending this model: stop before the disk fills.
      if (o.manifest.size !== undefined && received > o.manifest.size) return cb(new Oversize(`${url} sent more than the ${o.manifest.size} bytes model ${o.manifest.id} has`));
      o.onProgress?.(received, total);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream), counter, createWriteStream(part, { flags: 'a' }));
  } catch (e) {
    if (o.signal?.aborted) throw e;
    if (e instanceof Oversize) {
      rmSync(part, { force: true });
      throw new WeisuError('model_checksum', e.message, { field: 'size', fix: 'the server is serving a different file: check the url or mirror' });
    }
    throw new Transient(`download from ${url} broke off after ${received} bytes: ${(e as Error).message}`);
  }
  if (total !== undefined && received < total) throw new Transient(`download from ${url} ended after ${received} of ${total} bytes`);
}

export async function pullModel(o: PullOptions): Promise<PullResult> {
  const m = o.manifest;
  mkdirSync(o.modelsDir, { recursive: true });
  const dest = join(o.modelsDir, m.file);
  const part = `${dest}.part`;
  const present = await checkModelFile(o.modelsDir, m);
  if (present.status === 'verified') return { path: dest, bytes: present.bytes!, alreadyPresent: true, attempts: 0, resumed: false };
  const url = sourceUrl(o);
  const retries = o.retries ?? 4;
  let resumed = false;
  let lastError = '';
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) await sleep((o.retryDelayMs ?? 500) * 2 ** (attempt - 2), undefined, { signal: o.signal });
    const hadPart = existsSync(part) && statSync(part).size > 0;
    try {
      await fetchInto(url, part, o);
    } catch (e) {
      if (!(e instanceof Transient)) throw e;
      lastError = e.message;
      continue;
    }
    resumed ||= hadPart;
    const actual = await sha256File(part);
    if (actual === m.sha256) {
      await rename(part, dest);
      return { path: dest, bytes: statSync(dest).size, alreadyPresent: false, attempts: attempt, resumed };
    }
    rmSync(part, { force: true });
    // A resumed file may have been spliced from two different versions: one clean try is worth it.
    if (hadPart) {
      lastError = `sha256 ${actual} after resuming`;
      continue;
    }
    throw new WeisuError('model_checksum', `${url} delivered a file whose sha256 is ${actual}, but model ${m.id} must have ${m.sha256}; it was discarded`, {
      field: 'sha256',
      fix: 'the server is serving a different file: check the url (or mirror), or update the manifest if the model was deliberately replaced',
    });
  }
  throw new WeisuError('model_download_failed', `model ${m.id} could not be downloaded after ${retries + 1} attempts: ${lastError}`, {
    field: 'url',
    fix: `check the network (or use --from with a reachable mirror) and run weisu models pull ${m.id} again: it resumes where it stopped`,
  });
}
