import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const SHA256 = /^[0-9a-f]{64}$/;

export interface EvidenceStoreOptions {
  /** Folder of the files, e.g. `<data_dir>/evidence`. */
  dir: string;
  /** Base URL the HTTP plugin is reachable under (config `public_url`). */
  publicUrl: string;
  /** HMAC key for URLs; unset: a random key kept in `<dir>/.signing_key`, so URLs survive restarts. */
  secret?: string;
  /** How long a signed URL works. */
  ttlMs: number;
}

/**
 * Evidence images, content-addressed (`<dir>/ab/abcdef….jpg`: the same picture is stored once, writes are
 * idempotent) and handed out as unguessable, expiring, signed URLs under `public_url`.
 */
export class EvidenceStore {
  readonly dir: string;
  private readonly key: Buffer;
  private readonly base: string;
  private readonly ttlMs: number;

  constructor(opts: EvidenceStoreOptions) {
    this.dir = opts.dir;
    mkdirSync(this.dir, { recursive: true });
    this.key = opts.secret ? Buffer.from(opts.secret) : loadOrCreateKey(join(this.dir, '.signing_key'));
    this.base = opts.publicUrl.replace(/\/+$/, '');
    this.ttlMs = opts.ttlMs;
  }

  /** Stores a JPEG; returns its hash. Written to a temporary name then renamed, so a reader never sees half a file. */
  put(jpeg: Buffer): string {
    const sha = createHash('sha256').update(jpeg).digest('hex');
    const path = this.path(sha);
    if (!existsSync(path)) {
      mkdirSync(join(this.dir, sha.slice(0, 2)), { recursive: true });
      const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, jpeg);
      renameSync(tmp, path);
    }
    return sha;
  }

  async get(sha: string): Promise<Buffer | undefined> {
    if (!SHA256.test(sha)) return undefined;
    return readFile(this.path(sha)).catch(() => undefined);
  }

  /** Deletes a file (retention); a missing one is no error. */
  remove(sha: string): void {
    if (SHA256.test(sha)) rmSync(this.path(sha), { force: true });
  }

  /** A signed URL valid for the store's TTL from `now`. */
  url(sha: string, now = Date.now()): string {
    const exp = Math.floor((now + this.ttlMs) / 1000);
    return `${this.base}/evidence/${sha}.jpg?exp=${exp}&sig=${this.sign(sha, exp)}`;
  }

  /** Why a request for `sha` with `exp`/`sig` must be refused, or undefined when it is good. */
  refuse(sha: string, exp: number, sig: string, now = Date.now()): 'bad_signature' | 'expired' | undefined {
    if (!SHA256.test(sha) || !/^[0-9a-f]{64}$/.test(sig)) return 'bad_signature';
    const want = Buffer.from(this.sign(sha, exp), 'hex');
    if (!timingSafeEqual(want, Buffer.from(sig, 'hex'))) return 'bad_signature';
    if (exp * 1000 < now) return 'expired';
    return undefined;
  }

  private sign(sha: string, exp: number): string {
    return createHmac('sha256', this.key).update(`evidence:${sha}:${exp}`).digest('hex');
  }

  private path(sha: string): string {
    return join(this.dir, sha.slice(0, 2), `${sha}.jpg`);
  }
}

function loadOrCreateKey(path: string): Buffer {
  if (existsSync(path)) return readFileSync(path);
  const key = randomBytes(32);
  // wx: two processes starting at once — the loser reads the winner's key.
  try {
    writeFileSync(path, key, { flag: 'wx', mode: 0o600 });
    return key;
  } catch {
    return readFileSync(path);
  }
}
