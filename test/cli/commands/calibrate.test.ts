import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../cli/commands/calibrate.js';
import { media } from '../../support/paths.js';

/** `weisu calibrate` on the real bin pictures, with the real classifier and the embedded store. */
let dir: string;
let cfg: string;
const cam = `bins-${process.pid}`;

async function calibrate(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((l: string) => void out.push(l));
  const error = vi.spyOn(console, 'error').mockImplementation((l: string) => void err.push(l));
  try {
    return { code: await run([...argv, '--config', cfg]), out, err };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const bin = (name: string) => media(`bins/${name}`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'weisu-calibrate-'));
  cfg = join(dir, 'weisu.yaml');
  writeFileSync(
    cfg,
    `public_url: http://127.0.0.1:8080
data_dir: ${join(dir, 'data')}
cameras:
  - id: ${cam}
    url: rtsp://127.0.0.1:8554/bins
    location: { lat: 40.1, lon: 124.3 }
    zones:
      - id: bin
        kind: bin_site
        polygon: [[0.1, 0.1], [0.9, 0.1], [0.9, 0.95], [0.1, 0.95]]
        calibration_k: 2
      - id: kerb
        kind: no_parking
        polygon: [[0.1, 0.5], [0.9, 0.5], [0.9, 0.9]]
        dwell: 5m
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('weisu calibrate', () => {
  it('labels crops, says when the site becomes calibrated, and judges by the calibration from then on', async () => {
    const first = await calibrate(['add', '--camera', cam, '--zone', 'bin', '--label', 'normal', bin('notfull_ds_0.png'), bin('notfull_ds_119.png')]);
    expect(first.code).toBe(0);
    expect(first.out.at(-1)).toMatch(/2 normal, 0 overflowing; judged by the generic model until each class has 2/);
    const before = await calibrate(['test', '--camera', cam, '--zone', 'bin', bin('heldout_full_150.png')]);
    expect(before.out[0]).toMatch(/decided by generic/);

    const second = await calibrate(['add', '--camera', cam, '--zone', 'bin', '--label', 'overflowing', bin('full_ds_0.png'), bin('full_ds_150.png')]);
    expect(second.out.at(-1)).toMatch(/2 normal, 2 overflowing; judged by its calibration/);
    const after = await calibrate(['test', '--camera', cam, '--zone', 'bin', bin('heldout_full_150.png')]);
    expect(after.out[0]).toMatch(/decided by calibration/);

    const listed = await calibrate(['list', '--camera', cam]);
    expect(listed.out).toHaveLength(4);
    const id = listed.out[0]!.trim().split(/\s+/)[0]!;
    expect((await calibrate(['remove', id])).out).toEqual([`example ${id} removed`]);
    expect((await calibrate(['list', '--camera', cam])).out).toHaveLength(3);
  }, 120_000);

  it('refuses a crop too dark to judge, keeping the good ones of the same call', async () => {
    const dark = join(dir, 'dark.png');
    await sharp(bin('full_ds_50.png')).linear(0.05, 0).png().toFile(dark);
    const r = await calibrate(['add', '--camera', cam, '--zone', 'bin', '--label', 'overflowing', dark, bin('full_ds_50.png')]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/too dark or washed out/);
    expect(r.out.filter((l) => l.startsWith('example '))).toHaveLength(1);
  }, 60_000);

  it('names the option at fault', async () => {
    await expect(calibrate(['add', '--camera', cam, '--zone', 'bin', '--label', 'full', bin('full_ds_50.png')])).rejects.toMatchObject({ field: '--label' });
    await expect(calibrate(['add', '--camera', cam, '--zone', 'kerb', '--label', 'normal', bin('full_ds_50.png')])).rejects.toMatchObject({ field: '--zone' });
    await expect(calibrate(['add', '--camera', 'nope', '--zone', 'bin', '--label', 'normal', bin('full_ds_50.png')])).rejects.toMatchObject({ field: '--camera' });
    await expect(calibrate(['remove', 'x'])).rejects.toMatchObject({ field: 'EXAMPLE_ID' });
  });
});
