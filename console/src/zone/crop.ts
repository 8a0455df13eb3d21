import type { Pt } from './geometry.js';

/** The polygon's bounding box, widened by `margin` of its size and clamped to the frame (fractions). */
export function cropBox(poly: Pt[], margin = 0.1): { x: number; y: number; w: number; h: number } {
  const xs = poly.map((p) => p[0]);
  const ys = poly.map((p) => p[1]);
  const [x1, x2, y1, y2] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const mx = (x2 - x1) * margin;
  const my = (y2 - y1) * margin;
  const x = Math.max(0, x1 - mx);
  const y = Math.max(0, y1 - my);
  return { x, y, w: Math.min(1, x2 + mx) - x, h: Math.min(1, y2 + my) - y };
}

/** Crops an image (object URL) to a box in fractions; returns a JPEG data URL and its base64 body. */
export async function cropImage(src: string, box: { x: number; y: number; w: number; h: number }): Promise<{ dataUrl: string; base64: string }> {
  const img = new Image();
  img.src = src;
  await img.decode();
  const sx = Math.round(box.x * img.naturalWidth);
  const sy = Math.round(box.y * img.naturalHeight);
  const sw = Math.max(1, Math.round(box.w * img.naturalWidth));
  const sh = Math.max(1, Math.round(box.h * img.naturalHeight));
  const canvas = document.createElement('canvas');
  canvas.width = sw;
  canvas.height = sh;
  canvas.getContext('2d')!.drawImage(img, sx, sy, sw, sh, 0, 0, sw, sh);
  const dataUrl = canvas.toDataURL('image/jpeg', 0.92);
  return { dataUrl, base64: dataUrl.slice(dataUrl.indexOf(',') + 1) };
}
