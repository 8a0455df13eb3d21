import sharp, { type Metadata, type Sharp } from 'sharp';
import { fullJpeg } from '../core/frames.js';
import { MAX_PICTURE_PIXELS } from '../core/caps.js';
import type { BBox, SampledFrame, RawImage } from '../core/types.js';
import type { ModelInput } from '../models/manifest.js';

/**
 * Picture → model input tensor, cheaply: sharp resizes straight to the size the picture takes inside the
 * input (never to an intermediate), and one multiply-add pass writes the planar float tensor in
 * the model's channel order and normalisation. `Placement` remembers where the picture went so boxes map
 * back to full-frame pixels exactly.
 */

/** Where the picture sits in the model input: input = frame * scale + pad. */
export interface Placement {
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
  /** Size of the picture inside the input. */
  width: number;
  height: number;
}

/** Placement of a srcW×srcH picture in the model input; `content` overrides the picture's size inside it. */
export function placement(srcW: number, srcH: number, input: ModelInput, content?: { width: number; height: number }): Placement {
  if (input.resize === 'stretch') return { scaleX: input.width / srcW, scaleY: input.height / srcH, padX: 0, padY: 0, width: input.width, height: input.height };
  const k = Math.min(input.width / srcW, input.height / srcH);
  const width = content?.width ?? Math.max(1, Math.min(input.width, Math.round(srcW * k)));
  const height = content?.height ?? Math.max(1, Math.min(input.height, Math.round(srcH * k)));
  const centre = input.anchor === 'center';
  const padX = centre ? Math.floor((input.width - width) / 2) : 0;
  const padY = centre ? Math.floor((input.height - height) / 2) : 0;
  return { scaleX: width / srcW, scaleY: height / srcH, padX, padY, width, height };
}

/** A box in model-input pixels → full-frame pixels, clipped to the frame. */
export function toFrameBox(x1: number, y1: number, x2: number, y2: number, p: Placement, frameW: number, frameH: number): BBox {
  const cx = (v: number) => Math.min(frameW, Math.max(0, (v - p.padX) / p.scaleX));
  const cy = (v: number) => Math.min(frameH, Math.max(0, (v - p.padY) / p.scaleY));
  return [cx(x1), cy(y1), cx(x2), cy(y2)];
}

/** Writes pictures into a planar float tensor in the model's channel order and normalisation. */
export interface TensorWriter {
  readonly input: ModelInput;
  /** Floats per picture (3·H·W). */
  readonly size: number;
  write(dst: Float32Array, offset: number, img: RawImage, p: Placement): void;
}

export function tensorWriter(input: ModelInput): TensorWriter {
  const W = input.width;
  const H = input.height;
  const plane = W * H;
  // Sources are always RGB; planeOf[k] = the tensor plane that takes source channel k.
  const planeOf = input.channel_order === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  // value = pixel · mul[c] + add[c]: a multiply-add is cheaper than a lookup table in V8.
  const mul = [0, 1, 2].map((c) => input.scale / input.std[c]!);
  const add = [0, 1, 2].map((c) => -input.mean[c]! / input.std[c]!);
  const pad = [0, 1, 2].map((c) => input.pad_value * mul[c]! + add[c]!);
  const [mr, mg, mb] = planeOf.map((c) => mul[c]!) as [number, number, number];
  const [ar, ag, ab] = planeOf.map((c) => add[c]!) as [number, number, number];
  const [or, og, ob] = planeOf.map((c) => c * plane) as [number, number, number];

  /** Pad value around the picture only: rows above and below it, strips left and right of it. */
  function fillPad(dst: Float32Array, offset: number, p: Placement): void {
    for (let c = 0; c < 3; c++) {
      const base = offset + c * plane;
      const v = pad[c]!;
      dst.fill(v, base, base + p.padY * W);
      dst.fill(v, base + (p.padY + p.height) * W, base + plane);
      if (p.width === W) continue;
      for (let y = p.padY; y < p.padY + p.height; y++) {
        const row = base + y * W;
        dst.fill(v, row, row + p.padX);
        dst.fill(v, row + p.padX + p.width, row + W);
      }
    }
  }

  return {
    input,
    size: 3 * plane,
    write(dst, offset, img, p) {
      if (img.width !== p.width || img.height !== p.height) throw new Error(`internal: picture ${img.width}×${img.height} does not match its placement ${p.width}×${p.height}`);
      fillPad(dst, offset, p);
      // One pass over the packed RGB bytes, three planar writes.
      const data = img.data;
      let s = 0;
      for (let y = 0; y < p.height; y++) {
        let d = offset + (y + p.padY) * W + p.padX;
        const end = d + p.width;
        for (; d < end; d++, s += 3) {
          dst[d + or] = data[s]! * mr + ar;
          dst[d + og] = data[s + 1]! * mg + ag;
          dst[d + ob] = data[s + 2]! * mb + ab;
        }
      }
    },
  };
}

async function resizeRaw(src: Sharp, width: number, height: number): Promise<RawImage> {
  const { data, info } = await src.resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

export function rawSharp(img: RawImage): Sharp {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
}

/**
 * The frame's picture at its size inside the model input, with its placement. Uses `frame.pixels` when it
 * is already that size (±1 px of rounding: used as is) or larger (one resize); decodes the JPEG otherwise.
 */
export async function framePicture(frame: SampledFrame, input: ModelInput): Promise<{ img: RawImage; place: Placement }> {
  const want = placement(frame.width, frame.height, input);
  const px = frame.pixels;
  if (px && input.resize === 'letterbox' && px.width <= input.width && px.height <= input.height && Math.abs(px.width - want.width) <= 1 && Math.abs(px.height - want.height) <= 1) {
    return { img: px, place: placement(frame.width, frame.height, input, px) };
  }
  const src = px && px.width >= want.width && px.height >= want.height ? rawSharp(px) : sharp(await fullJpeg(frame), { failOn: 'error', limitInputPixels: MAX_PICTURE_PIXELS }).autoOrient();
  return { img: await resizeRaw(src, want.width, want.height), place: want };
}

/** A pixel rectangle of a picture. */
export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Part of a full-resolution picture at its size inside the model input (inference regions). */
export async function regionPicture(full: RawImage, rect: PixelRect, input: ModelInput): Promise<{ img: RawImage; place: Placement }> {
  const place = placement(rect.width, rect.height, input);
  return { img: await resizeRaw(rawSharp(full).extract(rect), place.width, place.height), place };
}

/** A crop at the model's stretched (or letterboxed) input size, for classifiers. */
export async function cropPicture(crop: RawImage, input: ModelInput): Promise<{ img: RawImage; place: Placement }> {
  const place = placement(crop.width, crop.height, input);
  const img = crop.width === place.width && crop.height === place.height ? crop : await resizeRaw(rawSharp(crop), place.width, place.height);
  return { img, place };
}
