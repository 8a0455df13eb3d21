import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../cli/commands/replay.js';
import { WeisuError } from '../../../core/errors.js';
import { labelledBins, siteAround } from '../../support/bin_frames.js';
import { buildScenario, buildStills, parkedCar, removeScenarioDirs, scenarioDir, STREET } from '../../support/scenario.js';

/** `weisu replay` on a scenario video: the incident timeline by media time, as text and as JSON lines. */
let dir: string;
let video: string;

function config(zoneExtra = ''): string {
  const path = join(dir, `weisu-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    `public_url: http://127.0.0.1:8080
data_dir: ${join(dir, 'data')}
cameras:
  - id: kerb-cam
    url: ${video}
    location: { lat: 40.1, lon: 124.3 }
    timezone: Asia/Shanghai
    sample_every: 1s
    zones:
      - id: shoulder
        kind: no_parking
        polygon: ${JSON.stringify(STREET.zone)}
        dwell: 15s
${zoneExtra}`,
  );
  return path;
}

async function replay(argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    return { code: await run(argv), out };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  dir = scenarioDir();
  video = await buildScenario({ name: 'replay-cli', durationS: 40, actors: [parkedCar('redCar', STREET.spots[0]!, 3, 30)] }, dir);
}, 120_000);
afterAll(() => removeScenarioDirs());

describe('weisu replay', () => {
  it('prints one JSON line per confirmed incident with camera, zone, kind, first_seen and confirmed_at in media seconds', async () => {
    const { code, out } = await replay([video, '--config', config(), '--json', '--threads', '1']);
    expect(code).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ camera: 'kerb-cam', zone: 'shoulder', kind: 'no_parking' });
    expect(lines[0]!.first_seen).toBeGreaterThanOrEqual(2);
    expect(lines[0]!.first_seen).toBeLessThanOrEqual(5);
    expect((lines[0]!.confirmed_at as number) - (lines[0]!.first_seen as number)).toBe(15);
  }, 120_000);

  it('prints the timeline as text: confirmed, then cleared after the car leaves', async () => {
    // A grace shorter than the 10 s of empty street the video ends with (the default is 30 s).
    const { code, out } = await replay([video, '--config', config('        clear_grace: 5s'), '--threads', '1']);
    expect(code).toBe(0);
    const timeline = out.filter((l) => /^\s+\d\d:\d\d/.test(l));
    expect(timeline.map((l) => l.trim().split(/\s+/)[1])).toEqual(['confirmed', 'cleared']);
    expect(out.at(-1)).toMatch(/1 incident\(s\) in 39\.\d s of media/);
  }, 120_000);

  it('applies schedules at the time the footage was shot (--start, in the camera time zone)', async () => {
    const cfg = config('        schedule: { windows: ["mon-fri 07:00-19:00"] }');
    // Saturday morning: the sign does not apply.
    expect((await replay([video, '--config', cfg, '--json', '--threads', '1', '--start', '2026-11-28T10:00'])).out).toEqual([]);
    // Thursday morning: it does.
    expect((await replay([video, '--config', cfg, '--json', '--threads', '1', '--start', '2026-11-26T10:00'])).out).toHaveLength(1);
  }, 180_000);

  it('replays a bin site: an overflow that persists is one bin_overflow incident, dark frames skipped', async () => {
    const bins = await labelledBins();
    const full = bins.find((b) => b.image === 'full_ds_50.png')!;
    const empty = bins.find((b) => b.image === 'notfull_ds_300.png')!;
    const stills = await buildStills(
      'bin-site',
      [
        { bytes: empty.bytes, seconds: 3 },
        { bytes: full.bytes, seconds: 2 },
        { bytes: full.bytes, seconds: 2, light: 0.05 },
        { bytes: full.bytes, seconds: 4 },
        { bytes: empty.bytes, seconds: 4 },
      ],
      dir,
    );
    const path = join(dir, 'bins.yaml');
    writeFileSync(
      path,
      `public_url: http://127.0.0.1:8080
cameras:
  - id: bin-cam
    url: ${stills}
    location: { lat: 40.1, lon: 124.3 }
    sample_every: 1s
    zones:
      - id: bin-a
        kind: bin_site
        polygon: ${JSON.stringify(siteAround([full, empty]))}
        persist: 4
`,
    );
    const { code, out } = await replay([stills, '--config', path, '--json', '--threads', '1']);
    expect(code).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    // Overflowing from 3 s; the 4th judged sample (3, 4, then 7, 8 after two dark ones) confirms it at 8 s.
    expect(lines).toEqual([expect.objectContaining({ camera: 'bin-cam', zone: 'bin-a', kind: 'bin_overflow', first_seen: 3, confirmed_at: 8 })]);
  }, 120_000);

  it('refuses bad input naming the option', async () => {
    const cfg = config();
    await expect(run([join(dir, 'missing.mp4'), '--config', cfg])).rejects.toMatchObject({ field: 'VIDEO' });
    await expect(run([video, '--config', cfg, '--camera', 'nope'])).rejects.toMatchObject({ field: '--camera' });
    await expect(run([video, '--config', cfg, '--every', 'often'])).rejects.toMatchObject({ field: '--every' });
    await expect(run([video, '--config', cfg, '--start', 'yesterday'])).rejects.toBeInstanceOf(WeisuError);
  });
});
