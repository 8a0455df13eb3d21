import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BBox, IncidentMessage, RuleEvent } from '../../core/types.js';
import { frameFromImage } from '../../detector/image.js';
import { readIncidentPlate } from '../../plates/incident.js';
import { createPlateReader, type PlateReader } from '../../plates/read_plate.js';
import { media } from '../support/paths.js';

let reader: PlateReader;
beforeAll(async () => {
  reader = await createPlateReader({ threads: 1 });
});
afterAll(async () => reader?.close());

async function message(rel: string, box: BBox, roles: ('first_seen' | 'confirmed' | 'recheck')[]): Promise<IncidentMessage> {
  const frame = await frameFromImage(readFileSync(media(rel)), 'cam-1');
  const event: RuleEvent = {
    type: 'confirmed', incidentId: 'cam-1:gate:1', cameraId: 'cam-1', zoneId: 'gate', kind: 'no_parking',
    firstSeen: 0, confirmedAt: 300_000, lastSeen: 300_000, ts: 300_000,
    subject: { box, label: 'car', score: 0.9 }, frameSize: { width: frame.width, height: frame.height },
  };
  return { event, frames: roles.map((role, i) => ({ ts: i * 300_000, jpegBase64: frame.jpeg.toString('base64'), role })) };
}

describe('readIncidentPlate', () => {
  it('reads the plate from the incident’s evidence frames at the parked vehicle’s box, voted', async () => {
    const msg = await message('street/parked_car_in_bay.jpg', [200, 65, 1010, 795], ['first_seen', 'confirmed']);
    const plate = await readIncidentPlate(reader, msg);
    expect(plate).toMatchObject({ text: '浙G·Z6825', format: 'cn', votes: 2 });
    expect((plate as { confidence: number }).confidence).toBeGreaterThan(0.99);
  });

  it('ignores re-check frames (taken after the car may have left)', async () => {
    const msg = await message('street/parked_car_in_bay.jpg', [200, 65, 1010, 795], ['confirmed', 'recheck', 'recheck']);
    expect(await readIncidentPlate(reader, msg)).toMatchObject({ votes: 1 });
  });

  it('an unreadable plate comes back unread with the reason, ready for the message', async () => {
    const msg = await message('weather/highway_normal_1.png', [415, 218, 492, 276], ['first_seen', 'confirmed']);
    expect(await readIncidentPlate(reader, msg)).toMatchObject({ unread: true, reason: expect.stringMatching(/^no frame showed a readable plate/) });
  });
});
