import type { BBox, Frame } from '../core/types.js';
import type { PlateRead, PlateReader, Unread } from './read_plate.js';

/**
 * The plate of every vehicle in one picture (`weisu detect --plates`). Boxes of vehicles standing in a row
 * overlap, so the plate found inside one vehicle's box may be its neighbour's: a read is kept only for the
 * vehicle that owns it — the plate lies inside no other vehicle's box standing in front (lower bottom edge),
 * and no other vehicle read the same text with the plate nearer its own bottom centre. Otherwise that
 * vehicle is unread with the reason: a plate on the wrong car is worse than none.
 */
export type VehiclePlate = PlateRead | Unread;

const area = (b: BBox) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
const inside = (inner: BBox, outer: BBox) => area([Math.max(inner[0], outer[0]), Math.max(inner[1], outer[1]), Math.min(inner[2], outer[2]), Math.min(inner[3], outer[3])]) / Math.max(1, area(inner));
/** Distance from a plate's centre to the bottom centre of a vehicle box, in units of the box's width. */
const offCentre = (plate: BBox, v: BBox) => Math.hypot((plate[0] + plate[2]) / 2 - (v[0] + v[2]) / 2, (plate[1] + plate[3]) / 2 - v[3]) / Math.max(1, v[2] - v[0]);
const where = (b: BBox) => `[${b.map((v) => Math.round(v)).join(', ')}]`;

export function assignPlates(vehicles: readonly BBox[], reads: readonly VehiclePlate[]): VehiclePlate[] {
  return reads.map((r, i) => {
    if ('unread' in r) return r;
    const own = vehicles[i]!;
    const front = vehicles.findIndex((v, j) => j !== i && v[3] > own[3] && inside(r.box, v) >= 0.5);
    if (front >= 0) return { unread: true, reason: `the plate read (${r.text}) lies on the vehicle in front at ${where(vehicles[front]!)}, not on this one` };
    const rival = reads.findIndex((o, j) => j !== i && !('unread' in o) && o.text === r.text && offCentre(o.box, vehicles[j]!) < offCentre(r.box, own));
    if (rival >= 0) return { unread: true, reason: `the plate read (${r.text}) belongs to the vehicle at ${where(vehicles[rival]!)}` };
    return r;
  });
}

export async function readPicturePlates(reader: PlateReader, frame: Frame, vehicles: readonly BBox[]): Promise<VehiclePlate[]> {
  const reads: VehiclePlate[] = [];
  for (const box of vehicles) reads.push(await reader.readVehicle(frame, box));
  return assignPlates(vehicles, reads);
}
