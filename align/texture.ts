import type { GreyPicture } from './picture.js';

/**
 * What a lens sees, cell by cell, in numbers that tell an obstruction from a moved view: brightness,
 * contrast (standard deviation) and fine detail (mean absolute Laplacian). Pure.
 *
 * A cover (hand, bag, paint) flattens the cells it hides — contrast goes; a defocused lens keeps the
 * coarse shapes but loses detail — the detail-to-contrast ratio drops everywhere; darkness lowers
 * everything. Judged against the reference view's own numbers, so a low-contrast street is not "covered".
 */
export interface Texture {
  cols: number;
  rows: number;
  /** Mean grey 0..1 of the whole picture. */
  brightness: number;
  cells: CellTexture[];
}

export interface CellTexture {
  /** Mean grey, 0..255. */
  mean: number;
  /** Standard deviation of grey, 0..255. */
  std: number;
  /** Mean absolute 4-neighbour Laplacian, 0..1020. */
  detail: number;
}

/** Cells small enough that the hidden share of a picture is close to the hidden share of its area. */
export const GRID = { cols: 16, rows: 12 } as const;

export function measureTexture(g: GreyPicture, cols: number = GRID.cols, rows: number = GRID.rows): Texture {
  const { data, width: w, height: h } = g;
  const n = cols * rows;
  const sum = new Float64Array(n);
  const sq = new Float64Array(n);
  const lap = new Float64Array(n);
  const count = new Float64Array(n);
  const lapCount = new Float64Array(n);
  let total = 0;
  for (let y = 0; y < h; y++) {
    const cy = Math.min(rows - 1, Math.floor((y * rows) / h));
    for (let x = 0; x < w; x++) {
      const c = cy * cols + Math.min(cols - 1, Math.floor((x * cols) / w));
      const i = y * w + x;
      const v = data[i]!;
      sum[c]! += v;
      sq[c]! += v * v;
      count[c]! += 1;
      total += v;
      if (x > 0 && y > 0 && x < w - 1 && y < h - 1) {
        lap[c]! += Math.abs(4 * v - data[i - 1]! - data[i + 1]! - data[i - w]! - data[i + w]!);
        lapCount[c]! += 1;
      }
    }
  }
  const cells: CellTexture[] = [];
  for (let c = 0; c < n; c++) {
    const k = Math.max(1, count[c]!);
    const mean = sum[c]! / k;
    cells.push({ mean, std: Math.sqrt(Math.max(0, sq[c]! / k - mean * mean)), detail: lap[c]! / Math.max(1, lapCount[c]!) });
  }
  return { cols, rows, brightness: total / Math.max(1, w * h) / 255, cells };
}

export type Obstruction = 'too_dark' | 'covered' | 'defocused';

/** Below this mean grey (and well below the reference's), nothing can be recognised. */
const DARK = 0.08;
/** A reference cell with less contrast than this (grey levels) is sky or wall: it cannot show a cover. */
const MIN_CELL_STD = 6;
/** A cell kept less than this share of its contrast is hidden. */
const FLAT = 0.3;
/** This share of the reference's textured cells hidden: the lens is covered (in part: paint, a bag, a hand). */
const COVERED_SHARE = 0.2;
/** Another view with this much more of its picture flat than the reference had: covered (a moved view still has texture). */
const MOSTLY_FLAT = 0.5;
/** Detail per unit of contrast fell under this share of the reference's (median over cells): out of focus. */
const DEFOCUSED = 0.4;

/**
 * Why the current picture cannot be judged against the reference, or undefined when it can.
 * `sameView`: the pictures are aligned (within a small shift), so cell k shows the same place in both and
 * cells are compared one to one; otherwise only position-free statistics are compared, or a camera that
 * merely moved would read as covered.
 */
export function judgeObstruction(reference: Texture, current: Texture, sameView: boolean): Obstruction | undefined {
  if (current.brightness < DARK && current.brightness < reference.brightness / 2) return 'too_dark';
  return sameView ? judgeCells(reference, current) : judgeOverall(reference, current);
}

function judgeCells(reference: Texture, current: Texture): Obstruction | undefined {
  const n = Math.min(reference.cells.length, current.cells.length);
  let textured = 0;
  let hidden = 0;
  const sharpness: number[] = [];
  for (let c = 0; c < n; c++) {
    const ref = reference.cells[c]!;
    const cur = current.cells[c]!;
    if (ref.std < MIN_CELL_STD) continue;
    textured++;
    if (cur.std < ref.std * FLAT) hidden++;
    else sharpness.push(sharpnessOf(cur) / sharpnessOf(ref));
  }
  if (!textured) return undefined;
  if (hidden / textured >= COVERED_SHARE) return 'covered';
  const m = median(sharpness);
  return m !== undefined && m < DEFOCUSED ? 'defocused' : undefined;
}

/** Another view: more flat cells than the reference had, or less detail per unit of contrast overall. */
function judgeOverall(reference: Texture, current: Texture): Obstruction | undefined {
  const flatShare = (t: Texture) => t.cells.filter((c) => c.std < MIN_CELL_STD).length / Math.max(1, t.cells.length);
  if (flatShare(current) - flatShare(reference) >= MOSTLY_FLAT) return 'covered';
  const textured = (t: Texture) => t.cells.filter((c) => c.std >= MIN_CELL_STD).map(sharpnessOf);
  const [ref, cur] = [median(textured(reference)), median(textured(current))];
  return ref !== undefined && cur !== undefined && cur / ref < DEFOCUSED ? 'defocused' : undefined;
}

/** Fine detail per unit of contrast: falls when focus goes, whatever the light. */
const sharpnessOf = (c: CellTexture) => c.detail / c.std;

function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
