import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCaseRequest, DESCRIPTION_MAX, refMarker } from '../../alerts/case_request.js';
import { EvidenceStore } from '../../alerts/evidence_store.js';
import type { IncidentRow } from '../../store/incidents.js';

const store = new EvidenceStore({ dir: mkdtempSync(join(tmpdir(), 'weisu-cr-')), publicUrl: 'https://weisu.example.gov.cn/', ttlMs: 86_400_000 });
const T0 = Date.parse('2026-11-26T00:01:02Z');

function incident(over: Partial<IncidentRow> = {}): IncidentRow {
  return {
    id: 'cam:gate:1',
    cameraId: 'cam',
    zoneId: 'gate',
    kind: 'no_parking',
    mode: 'auto',
    state: 'open',
    firstSeenMs: T0,
    confirmedMs: T0 + 3_725_000,
    lastSeenMs: T0 + 3_725_000,
    subject: { box: [1, 2, 3, 4], label: 'truck', score: 0.8 },
    frameSize: { width: 10, height: 10 },
    plate: { text: '辽F12345', confidence: 0.9 },
    place: { cameraName: 'North gate', lat: 40.129, lon: 124.394, address: 'Jinjiang Rd 1', timezone: 'Asia/Shanghai' },
    evidenceError: null,
    recheckResult: null,
    judgement: null,
    judgedBy: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    clearedAt: null,
    verifiedAt: null,
    ...over,
  };
}

const ticket = { ref: 'ws-abc', createdAt: new Date() };
const evidence = [
  { incidentId: 'cam:gate:1', role: 'main', sha256: 'a'.repeat(64), bytes: 1, width: 1, height: 1 },
  { incidentId: 'cam:gate:1', role: 'first_seen', sha256: 'b'.repeat(64), bytes: 1, width: 1, height: 1 },
];

describe('what a ticket says', () => {
  it('describes the offence in Chinese and English with times in the camera\'s zone, plate, duration and the reference', () => {
    const r = buildCaseRequest(incident(), ticket, evidence, store, 'https://uri.amap.com/marker?position={lon},{lat}');
    expect(r.descriptionZh).toContain('已停留1小时2分5秒');
    expect(r.descriptionZh).toContain('首次发现 2026-11-26 08:01:02');
    expect(r.descriptionZh).toContain('车牌 辽F12345（置信度 90%）');
    expect(r.descriptionEn).toContain('plate 辽F12345 (90 % confidence)');
    expect(r.descriptionEn).toContain('for 1 h 2 min 5 s');
    expect(r.description.endsWith(refMarker('ws-abc'))).toBe(true);
    expect(r.mediaUrl).toMatch(/^https:\/\/weisu\.example\.gov\.cn\/evidence\/a{64}\.jpg\?/);
    expect(r.photoUrls).toHaveLength(2);
    expect(r.mapLink).toBe('https://uri.amap.com/marker?position=124.394000,40.129000');
    expect(r).toMatchObject({ category: 'illegal_parking', durationSeconds: 3725, firstSeenIso: '2026-11-26T00:01:02.000Z' });
  });

  it('keeps descriptions plain text under 4000 characters with the reference intact', () => {
    const place = { cameraName: '<b>North</b> gate '.repeat(200), lat: 1, lon: 2, address: '<script>x</script>'.repeat(100), timezone: 'UTC' };
    const r = buildCaseRequest(incident({ place }), ticket, evidence, store, '{lat},{lon}');
    expect(r.description.length).toBeLessThanOrEqual(DESCRIPTION_MAX);
    expect(r.description).not.toMatch(/[<>]/);
    expect(r.description.endsWith(refMarker('ws-abc'))).toBe(true);
  });

  it('shows replayed-file times as media offsets, not 1970', () => {
    const r = buildCaseRequest(incident({ firstSeenMs: 12_000, confirmedMs: 312_000 }), ticket, evidence, store, '{lat},{lon}');
    expect(r.descriptionEn).toContain('first seen media 00:00:12');
    expect(r.firstSeenIso).toBeUndefined();
  });

  it('cannot be built without the camera\'s location, and says why', () => {
    expect(() => buildCaseRequest(incident({ place: null }), ticket, evidence, store, '{lat},{lon}')).toThrow(/camera "cam" was not configured/);
  });
});
