import sharp from 'sharp';
import { fullJpeg } from '../core/frames.js';
import { MAX_PICTURE_PIXELS } from '../core/caps.js';
import type { BBox, SampledFrame, RawImage } from '../core/types.js';
import { pixelBounds, type Point } from '../core/geometry.js';
import type { Classification } from './classifier.js';

/**
 * What the detector stage sees of a bin site: the site's box cropped from the full-resolution frame, how
 * well exposed the crop is, and the generic classifier's verdict. Judging with a site's own calibration is
 * the pipeline's (pipeline/bin_sites.ts): the labelled examples belong to the rules, not to the pictures.
 */

/** Luma below / above these 8-bit values counts as clipped. */
const CLIP_LOW = 6;
const CLIP_HIGH = 249;

export interface Exposure {
  /** Mean luma, 0 (black) .. 1 (white). */
  brightness: number;
  /** Fraction of pixels clipped to black or white. */
  clipped: number;
}

export function measureExposure(img: RawImage): Exposure {
  const { data } = img;
  const n = img.width * img.height;
  let sum = 0;
  let clipped = 0;
  for (let i = 0; i < n; i++) {
    const y = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
    sum += y;
    if (y <= CLIP_LOW || y >= CLIP_HIGH) clipped++;
  }
  return { brightness: n ? sum / n / 255 : 0, clipped: n ? clipped / n : 1 };
}

/** What a bin site's config says about its picture (rules/schema.ts `BinSiteZone` has these fields). */
export interface BinSiteView {
  /** The site, in fractions of the frame. */
  polygon: Point[];
  /** Labels of the generic classifier that mean "overflowing", and the probability they need together. */
  overflow_labels: string[];
  min_score: number;
}

/** Limits past which a crop is too dark or washed out to judge. */
export interface ExposureLimits {
  min_brightness: number;
  max_brightness: number;
  max_clipped: number;
}

export function exposureProblem(e: Exposure, limits: ExposureLimits): boolean {
  return e.brightness < limits.min_brightness || e.brightness > limits.max_brightness || e.clipped > limits.max_clipped;
}

/** The site's box, rounded to whole pixels inside the frame. */
export function cropBox(zone: Pick<BinSiteView, 'polygon'>, frame: { width: number; height: number }): BBox {
  const [x1, y1, x2, y2] = pixelBounds(zone.polygon, frame);
  const l = Math.max(0, Math.floor(x1));
  const t = Math.max(0, Math.floor(y1));
  return [l, t, Math.max(l + 1, Math.min(frame.width, Math.ceil(x2))), Math.max(t + 1, Math.min(frame.height, Math.ceil(y2)))];
}

/** Crops of each site from the frame's full-resolution JPEG (decoded once). */
export async function cropSites(frame: SampledFrame, zones: Pick<BinSiteView, 'polygon'>[]): Promise<RawImage[]> {
  if (zones.length === 0) return [];
  const { data, info } = await sharp(await fullJpeg(frame), { limitInputPixels: MAX_PICTURE_PIXELS }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const full = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
  return Promise.all(
    zones.map(async (z) => {
      // The JPEG may differ from the declared frame size (a resized snapshot): crop in the JPEG's own pixels.
      const [x1, y1, x2, y2] = cropBox(z, { width: info.width, height: info.height });
      const out = await full.clone().extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 }).raw().toBuffer({ resolveWithObject: true });
      return { data: out.data, width: out.info.width, height: out.info.height, channels: 3 as const };
    }),
  );
}

/** Generic model: probability of the overflow labels against the site's threshold. */
export function judgeGeneric(c: Classification, zone: Omit<BinSiteView, 'polygon'>): { state: 'overflowing' | 'normal'; score: number } {
  const wanted = new Set(zone.overflow_labels.map((l) => l.toLowerCase()));
  const p = c.labels.reduce((s, l, i) => s + (wanted.has(l.toLowerCase()) ? c.probs[i]! : 0), 0);
  return p >= zone.min_score ? { state: 'overflowing', score: p } : { state: 'normal', score: 1 - p };
}
