import { beforeAll, describe, expect, it } from 'vitest';
import { coveredLens, viewCamera } from '../support/view_camera.js';

/**
 * The sampling job with a reference view, on in-memory ports and the real aligner: a camera whose lens
 * gets covered and uncovered. Its view state says so (with the first covered picture kept for operators),
 * the count of checks by state grows, no detector call or rule step happens on a covered picture, and
 * the change and the resumption are announced for crews' webhooks.
 */

let lens: Awaited<ReturnType<typeof coveredLens>>;
beforeAll(async () => {
  lens = await coveredLens();
});

describe('pipeline/sample_job with a reference view', () => {
  it('records view changes and resumptions, keeps the first covered picture, and does not detect on a covered picture', async () => {
    const cam = viewCamera(lens.aligner, lens.clear, [lens.clear, lens.covered, lens.covered, lens.clear]);
    const seen: { state?: string; reason?: string; since?: number; picture: boolean; detected: number }[] = [];
    for (let i = 0; i < 4; i++) {
      expect((await cam.sample()).outcome).toBe('ok');
      const v = cam.state.views.get('cam');
      seen.push({ state: v?.state, reason: v?.reason, since: v?.since, picture: cam.state.viewPictures.has('cam'), detected: cam.counts.detected });
    }
    expect(seen.map((s) => [s.state, s.reason, s.picture, s.detected])).toEqual([
      ['aligned', undefined, false, 1],
      ['obstructed', 'covered', true, 1],
      ['obstructed', 'covered', true, 1],
      ['aligned', undefined, false, 2],
    ]);
    // The obstruction's start is kept while it lasts; the kept picture is the first covered one.
    expect(seen[2]!.since).toBe(seen[1]!.since);
    expect(cam.metrics.registry.render()).toMatch(/weisu_view_checks_total\{[^}]*state="obstructed"[^}]*\} 2/);
    // Operators' webhooks are told twice: when the lens was covered (with that picture) and when it was clear again.
    expect(cam.state.announced.map((m) => [m.event, m.state, m.reason, m.was?.state])).toEqual([
      ['camera.view_changed', 'obstructed', 'covered', 'aligned'],
      ['camera.view_restored', 'aligned', undefined, 'obstructed'],
    ]);
    expect(cam.state.announced[0]!.since).toBe(seen[1]!.since);
    expect(Buffer.from(cam.state.announced[0]!.jpegBase64, 'base64').equals(lens.covered)).toBe(true);
  });
});
