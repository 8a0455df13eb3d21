import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Frame } from '../../core/types.js';
import { frameFromImage } from '../../detector/image.js';
import { binSiteZoneSchema, type BinSiteZone } from '../../rules/schema.js';
import { MEDIA_DIR } from './paths.js';

/**
 * The labelled bin pictures of ../shared/media/bins (labels.json, judged by eye) as frames with a bin-site
 * zone drawn around the labelled bin: the material of the bin tests, sequences and the eval.
 */
export interface LabelledBin {
  image: string;
  truth: 'overflowing' | 'normal';
  /** The picture was in the generic model's training set (its accuracy there says little). */
  seenByModel: boolean;
  zone: BinSiteZone;
  bytes: Buffer;
}

interface LabelsFile {
  items: { image: string; bin_box: [number, number, number, number]; state: 'full' | 'normal'; in_generic_model_training: boolean }[];
}

export async function labelledBins(zoneFields: Record<string, unknown> = {}): Promise<LabelledBin[]> {
  const dir = join(MEDIA_DIR, 'bins');
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as LabelsFile;
  const out: LabelledBin[] = [];
  for (const [i, it] of labels.items.entries()) {
    const path = join(dir, it.image);
    if (!existsSync(path)) continue; // labels.json lists a picture the folder does not hold
    const bytes = readFileSync(path);
    const { width, height } = await sharp(bytes).metadata();
    const [x1, y1, x2, y2] = it.bin_box.map((v, k) => v / (k % 2 === 0 ? width! : height!)) as [number, number, number, number];
    const zone = binSiteZoneSchema.parse({
      id: `bin-${i}`,
      kind: 'bin_site',
      polygon: [[x1, y1], [x2, y1], [x2, y2], [x1, y2]],
      ...zoneFields,
    });
    out.push({ image: it.image, truth: it.state === 'full' ? 'overflowing' : 'normal', seenByModel: it.in_generic_model_training, zone, bytes });
  }
  return out;
}

/** The picture as a camera frame at `ts`, optionally with its brightness scaled (dusk, night). */
export async function binFrame(bin: LabelledBin, ts: number, brightness = 1): Promise<Frame> {
  const bytes = brightness === 1 ? bin.bytes : await sharp(bin.bytes).linear(brightness, 0).png().toBuffer();
  return frameFromImage(bytes, 'bins', ts);
}

/** One site drawn once around where each of these pictures has its bin (pictures standing in for one camera). */
export function siteAround(bins: LabelledBin[]): [number, number][] {
  const corners = bins.flatMap((b) => b.zone.polygon);
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  const [x1, y1, x2, y2] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  return [[x1, y1], [x2, y1], [x2, y2], [x1, y2]];
}
