import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvidenceStore } from '../../alerts/evidence_store.js';

const dir = () => mkdtempSync(join(tmpdir(), 'weisu-es-'));

describe('evidence store', () => {
  it('stores a picture once by its content hash', async () => {
    const d = dir();
    const s = new EvidenceStore({ dir: d, publicUrl: 'http://x/', ttlMs: 1000 });
    const a = s.put(Buffer.from('jpeg-1'));
    expect(s.put(Buffer.from('jpeg-1'))).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(join(d, a.slice(0, 2)))).toEqual([`${a}.jpg`]);
    expect((await s.get(a))?.toString()).toBe('jpeg-1');
    expect(await s.get('../../etc/passwd')).toBeUndefined();
  });

  it('signs URLs that survive a restart, expire, and refuse tampering', () => {
    const d = dir();
    const s1 = new EvidenceStore({ dir: d, publicUrl: 'https://city.example/weisu/', ttlMs: 60_000 });
    const sha = s1.put(Buffer.from('x'));
    const url = new URL(s1.url(sha, 1_000_000));
    expect(url.pathname).toBe(`/weisu/evidence/${sha}.jpg`);
    const exp = Number(url.searchParams.get('exp'));
    const sig = url.searchParams.get('sig')!;
    // A second process on the same data dir (or after a restart) accepts the first one's URLs.
    const s2 = new EvidenceStore({ dir: d, publicUrl: 'https://city.example/weisu/', ttlMs: 60_000 });
    expect(s2.refuse(sha, exp, sig, 1_000_000)).toBeUndefined();
    expect(s2.refuse(sha, exp, sig, 1_000_000 + 61_000)).toBe('expired');
    expect(s2.refuse(sha, exp + 3600, sig, 1_000_000)).toBe('bad_signature');
    expect(s2.refuse(sha.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')), exp, sig, 1_000_000)).toBe('bad_signature');
    expect(statSync(join(d, '.signing_key')).mode & 0o077).toBe(0);
    // A configured secret replaces the generated key.
    const s3 = new EvidenceStore({ dir: d, publicUrl: 'https://city.example/weisu/', ttlMs: 60_000, secret: 'x'.repeat(32) });
    expect(s3.refuse(sha, exp, sig, 1_000_000)).toBe('bad_signature');
  });
});
