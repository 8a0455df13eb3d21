import type { Frame, IncidentMessage } from '../core/types.js';
import type { PlateReader, Unread } from './read_plate.js';

/** What goes into `IncidentMessage.plate` (and from there the incident, the ticket and the evidence). */
export type IncidentPlate = { text: string; confidence: number; format: string; votes: number } | Unread;

/**
 * The plate of a confirmed parking incident, read from the evidence frames it already carries (first
 * seen, confirmed: the dwell's frames) at the parked vehicle's box, voted across them. The vehicle is
 * stationary by definition, so one box serves every frame.
 */
export async function readIncidentPlate(reader: PlateReader, msg: Pick<IncidentMessage, 'event' | 'frames'>): Promise<IncidentPlate> {
  const { event } = msg;
  const frames = msg.frames
    .filter((f) => f.role !== 'recheck')
    .map((f): { frame: Frame; box: typeof event.subject.box } => ({
      frame: { cameraId: event.cameraId, ts: f.ts, width: event.frameSize.width, height: event.frameSize.height, jpeg: Buffer.from(f.jpegBase64, 'base64') },
      box: event.subject.box,
    }));
  const r = await reader.readIncident(frames);
  if ('unread' in r) return r;
  return { text: r.read.text, confidence: Math.round(r.read.confidence * 1000) / 1000, format: r.read.format, votes: r.votes };
}
