import { describe, expect, it } from 'vitest';
import type { BBox } from '../../core/types.js';
import { assignPlates, type VehiclePlate } from '../../plates/picture.js';

const read = (text: string, box: BBox): VehiclePlate => ({ text, confidence: 0.95, format: 'cn', box });
const unread = (reason: string): VehiclePlate => ({ unread: true, reason });

describe('assignPlates: a plate goes to the vehicle that carries it, or to none', () => {
  // Two cars parked in a row: the far one (bottom edge higher) partly behind the near one.
  const far: BBox = [100, 100, 400, 300];
  const near: BBox = [250, 150, 600, 420];

  it('keeps reads that lie on their own vehicle', () => {
    const reads = [read('浙G·Z6825', [200, 250, 280, 275]), read('辽F·12345', [380, 370, 480, 400])];
    expect(assignPlates([far, near], reads)).toEqual(reads);
  });

  it("refuses the far car a plate that lies on the near car standing in front of it", () => {
    const plate: BBox = [300, 260, 380, 290]; // inside both boxes: the near car's plate
    const out = assignPlates([far, near], [read('辽F·12345', plate), unread('no text found on the vehicle')]);
    expect(out[0]).toMatchObject({ unread: true, reason: expect.stringContaining('vehicle in front at [250, 150, 600, 420]') });
  });

  it('gives one text read for two vehicles only to the one whose bottom centre it is nearer', () => {
    const a: BBox = [0, 0, 300, 300];
    const b: BBox = [320, 0, 620, 300];
    const plate: BBox = [420, 260, 520, 290]; // b's bottom centre
    const out = assignPlates([a, b], [read('辽F·12345', plate), read('辽F·12345', plate)]);
    expect(out[0]).toMatchObject({ unread: true, reason: expect.stringContaining('belongs to the vehicle at [320, 0, 620, 300]') });
    expect(out[1]).toMatchObject({ text: '辽F·12345' });
  });

  it('passes unread vehicles through with their reasons', () => {
    expect(assignPlates([far], [unread('too small to read')])).toEqual([unread('too small to read')]);
  });
});
