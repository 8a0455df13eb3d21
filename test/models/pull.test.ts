import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WeisuError } from '../../core/errors.js';
import { run as modelsCli } from '../../cli/commands/models.js';
import { pullModel, sha256File } from '../../models/pull.js';
import { loadRegistry } from '../../models/registry.js';
import { MODELS_DIR } from '../support/paths.js';

/**
 * A local mirror serving the real model files, with faults on demand: a connection dropped mid-file,
 * wrong bytes, 503s, a server that ignores Range. Every request is recorded.
 */
type Fault = 'none' | 'drop' | 'wrong' | 'busy' | 'norange' | 'endless';
let server: Server;
let base: string;
let fault: Fault = 'none';
let faultsLeft = 0;
let requests: { path: string; range?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url!, 'http://x').pathname.slice(1));
    requests.push({ path: name, range: req.headers.range });
    const path = join(MODELS_DIR, name);
    if (!/^[\w.-]+\.onnx$/.test(name) || !existsSync(path)) return void res.writeHead(404).end('not found');
    let body = readFileSync(path);
    const active = faultsLeft > 0 ? fault : 'none';
    if (faultsLeft > 0) faultsLeft--;
    if (active === 'busy') return void res.writeHead(503).end();
    if (active === 'endless') {
      res.writeHead(200); // no length, and more bytes than any model has
      const chunk = Buffer.alloc(1 << 20, 7);
      const pump = () => { while (res.write(chunk)); };
      res.on('drain', pump);
      res.on('close', () => res.off('drain', pump));
      return pump();
    }
    if (active === 'wrong') body = Buffer.from(body.map((b, i) => (i % 4096 === 0 ? b ^ 0xff : b)));
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && active !== 'norange') {
      const start = Number(m[1]);
      if (start >= body.length) return void res.writeHead(416).end();
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
      return void res.end(body.subarray(start));
    }
    res.writeHead(200, { 'content-length': body.length });
    if (active === 'drop') {
      res.write(body.subarray(0, 1_000_000), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function setup(f: Fault, count = 1) {
  fault = f;
  faultsLeft = count;
  requests = [];
  return mkdtempSync(join(tmpdir(), 'weisu-pull-'));
}

const yolox = loadRegistry(MODELS_DIR).get('yolox-nano-coco-416');
/** The error a pull fails with (the test fails if it succeeds). */
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the pull to fail'); }, (e: unknown) => e as WeisuError);
const pull = (dir: string, extra: Partial<Parameters<typeof pullModel>[0]> = {}) => pullModel({ manifest: yolox, modelsDir: dir, mirror: base, retryDelayMs: 10, ...extra });

describe('weisu models pull', () => {
  it('downloads, reports progress, verifies and leaves only the verified file', async () => {
    const dir = setup('none', 0);
    const progress: number[] = [];
    const r = await pull(dir, { onProgress: (got, total) => { expect(total).toBe(3_713_911); progress.push(got); } });
    expect(r).toMatchObject({ alreadyPresent: false, attempts: 1, resumed: false, bytes: 3_713_911 });
    expect(await sha256File(join(dir, yolox.file))).toBe(yolox.sha256);
    expect(readdirSync(dir)).toEqual([yolox.file]);
    expect(progress.at(-1)).toBe(3_713_911);
    expect(progress.length).toBeGreaterThan(2);
    expect((await pull(dir)).alreadyPresent).toBe(true);
  });

  it('resumes with a Range request after the connection drops mid-file', async () => {
    const dir = setup('drop');
    const r = await pull(dir);
    expect(r).toMatchObject({ resumed: true, attempts: 2 });
    expect(requests[0]!.range).toBeUndefined();
    // It asks for the rest from what it had stored when the connection dropped (at most the 1 MB sent).
    const from = Number(/^bytes=(\d+)-$/.exec(requests[1]!.range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(1_000_000);
    expect(await sha256File(join(dir, yolox.file))).toBe(yolox.sha256);
  });

  it('starts over when the server ignores Range, and retries 503s with backoff', async () => {
    const dir = setup('drop');
    writeFileSync(join(dir, `${yolox.file}.part`), readFileSync(join(MODELS_DIR, yolox.file)).subarray(0, 5000));
    fault = 'norange';
    faultsLeft = 1;
    expect((await pull(dir)).attempts).toBe(1);
    expect(await sha256File(join(dir, yolox.file))).toBe(yolox.sha256);
    const busy = setup('busy', 2);
    expect((await pull(busy)).attempts).toBe(3);
  });

  it('discards a file with the wrong sha256 and says so, leaving nothing under the real name', async () => {
    const dir = setup('wrong', 10);
    const e = await failure(pull(dir));
    expect(e).toBeInstanceOf(WeisuError);
    expect((e as WeisuError).code).toBe('model_checksum');
    expect((e as WeisuError).message).toContain(yolox.sha256);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stops a server that sends more than the pinned size, keeping nothing', async () => {
    const dir = setup('endless', 10);
    const e = await failure(pull(dir));
    expect(e.code).toBe('model_checksum');
    expect(e.message).toMatch(/more than the 3713911 bytes/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('replaces a corrupt file in place only once the new one is verified', async () => {
    const dir = setup('none', 0);
    writeFileSync(join(dir, yolox.file), 'corrupt');
    await pull(dir);
    expect(await sha256File(join(dir, yolox.file))).toBe(yolox.sha256);
  });

  it('gives up with a clear error when the mirror is unreachable or lacks the file', async () => {
    const dir = setup('none', 0);
    const down = await failure(pull(dir, { mirror: 'http://127.0.0.1:9/', retries: 1 }));
    expect(down.code).toBe('model_download_failed');
    expect(down.fix).toMatch(/resumes/);
    const other = { ...yolox, file: 'nope.onnx' };
    expect((await failure(pullModel({ manifest: other, modelsDir: dir, mirror: base }))).message).toMatch(/HTTP 404/);
    expect(existsSync(join(dir, yolox.file))).toBe(false);
  });

  it('works from the command line: pull every model with a url, then list them as verified', async () => {
    const dir = setup('none', 0);
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    vi.spyOn(console, 'error').mockImplementation((s: string) => void out.push(s));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await modelsCli(['pull', '--dir', dir, '--from', base, 'yolox-nano-coco-416', 'yolov8n-coco-640-int8'])).toBe(0);
      expect(await modelsCli(['list', '--json', '--dir', dir])).toBe(0);
      expect(await modelsCli(['pull', '--dir', dir, 'no-such-model']).catch((e: unknown) => (e as Error).message)).toMatch(/no model "no-such-model"/);
    } finally {
      vi.restoreAllMocks();
    }
    const listed = JSON.parse(out.find((l) => l.startsWith('['))!) as { id: string; status: string }[];
    expect(Object.fromEntries(listed.map((m) => [m.id, m.status]))).toEqual({
      'yolox-nano-coco-416': 'verified',
      'yolov8n-coco-640-int8': 'verified',
      'bin-fullness-yolov8n-cls-256': 'missing',
    });
  });
});
