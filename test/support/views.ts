import sharp from 'sharp';

/**
 * Camera views composed from one large real picture: the window a camera sees (a pan, tilt and zoom is
 * a window), and what can happen to its lens. The truth of each composition is known, so alignment
 * is checked against where a point really went. Used by the alignment tests.
 */
export interface ViewWindow {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface LensTrouble {
  /** Degrees the camera rolled (clockwise), about the window's centre. */
  roll?: number;
  /** Gaussian blur sigma in output pixels: a defocused lens. */
  blur?: number;
  /** Rectangles (fractions of the picture) painted over in one flat colour: a bag, a hand, spray paint. */
  cover?: { left: number; top: number; width: number; height: number; grey: number }[];
  /** Multiplies every pixel: 0.1 is dusk without street lights. */
  gain?: number;
}

export const VIEW_SIZE = { width: 960, height: 540 } as const;

export async function viewOf(picture: string | Buffer, win: ViewWindow, trouble: LensTrouble = {}, size: { width: number; height: number } = VIEW_SIZE): Promise<Buffer> {
  let img = sharp(picture).extract(rounded(win));
  if (trouble.roll) {
    // Rotate the window (the canvas grows), then take back the window's size about the centre.
    const rotated = await img.rotate(trouble.roll, { background: '#000' }).png().toBuffer({ resolveWithObject: true });
    const left = Math.round((rotated.info.width - win.width) / 2);
    const top = Math.round((rotated.info.height - win.height) / 2);
    img = sharp(rotated.data).extract({ left, top, width: Math.round(win.width), height: Math.round(win.height) });
  }
  let out = sharp(await img.resize(size.width, size.height, { fit: 'fill' }).png().toBuffer());
  if (trouble.gain !== undefined) out = sharp(await out.linear(trouble.gain, 0).png().toBuffer());
  if (trouble.blur) out = sharp(await out.blur(trouble.blur).png().toBuffer());
  if (trouble.cover?.length) {
    const patches = await Promise.all(
      trouble.cover.map(async (c) => {
        const width = Math.max(1, Math.round(c.width * size.width));
        const height = Math.max(1, Math.round(c.height * size.height));
        const input = await sharp({ create: { width, height, channels: 3, background: { r: c.grey, g: c.grey, b: c.grey } } }).png().toBuffer();
        return { input, left: Math.round(c.left * size.width), top: Math.round(c.top * size.height) };
      }),
    );
    out = sharp(await out.composite(patches).png().toBuffer());
  }
  return out.jpeg({ quality: 80 }).toBuffer();
}

/** Where a point given in fractions of the reference window lies in fractions of the current window (no roll). */
export function truthMap(ref: ViewWindow, cur: ViewWindow): (p: readonly [number, number]) => [number, number] {
  return ([x, y]) => [(ref.left + x * ref.width - cur.left) / cur.width, (ref.top + y * ref.height - cur.top) / cur.height];
}

/** The window moved by a share of its own size (pan right / tilt down when positive). */
export function shifted(win: ViewWindow, dx: number, dy: number, zoom = 1): ViewWindow {
  const width = win.width / zoom;
  const height = win.height / zoom;
  return { left: win.left + dx * win.width + (win.width - width) / 2, top: win.top + dy * win.height + (win.height - height) / 2, width, height };
}

function rounded(w: ViewWindow): { left: number; top: number; width: number; height: number } {
  return { left: Math.round(w.left), top: Math.round(w.top), width: Math.round(w.width), height: Math.round(w.height) };
}
