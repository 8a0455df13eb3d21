import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { cameraSchema } from '../config/schema.js';
import { fieldIssues, fieldPath, type IssueCode } from '../core/zod_messages.js';
import type { CameraInput } from '../store/cameras.js';
import { limitProblem } from './limits.js';

/**
 * Bulk camera files (CSV, JSON, YAML) → validated cameras, each error tied to its row, line and field.
 * Shared by `weisu cameras import` and POST /api/v1/cameras/import, so both accept and reject the same.
 */
export type RowsFormat = 'csv' | 'json' | 'yaml';

export interface RowError {
  /** 1-based position of the row in the file (or in the posted list). */
  row: number;
  /** 1-based line in the file where the offending value is, when the input was a file. */
  line?: number;
  field: string;
  message: string;
  /** The kind of mistake, its limit and fix, when validation said (see core/zod_messages.ts). */
  code?: IssueCode;
  limit?: number;
  fix?: string;
}

export interface ValidRow {
  row: number;
  line?: number;
  /** The row as written (validated): what the store keeps. */
  camera: CameraInput;
}

interface RawRow {
  row: number;
  line?: number;
  value: unknown;
  /** Line of the value at a path inside the row, when known. */
  lineOf?: (path: PropertyKey[]) => number | undefined;
  /** How to name a field of this row in an error (CSV names columns). */
  nameOf?: (path: PropertyKey[]) => string;
}

export function formatOf(fileName: string): RowsFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  return ext === 'csv' ? 'csv' : ext === 'json' ? 'json' : ext === 'yaml' || ext === 'yml' ? 'yaml' : undefined;
}

/** RFC 4180 records with the line each starts on (quoted fields may span lines). */
function csvRecords(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      any = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      any = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (any || cell !== '') out.push({ line: start, cells: [...cells, cell] });
      cells = [];
      cell = '';
      any = false;
      line++;
      start = line;
    } else {
      cell += ch;
      any = true;
    }
  }
  if (any || cell !== '') out.push({ line: start, cells: [...cells, cell] });
  return out;
}

/** CSV columns that are not top-level camera fields. */
const CSV_LOCATION = new Set(['lat', 'lon', 'address']);
const CSV_NUMBERS = new Set(['lat', 'lon']);
const CSV_BOOLEANS = new Set(['enabled', 'loop']);

function csvRows(text: string): { rows: RawRow[]; errors: RowError[] } {
  const [header, ...records] = csvRecords(text.replace(/^\uFEFF/, ''));
  if (!header) return { rows: [], errors: [{ row: 0, line: 1, field: '', message: 'the file is empty: the first line must name the columns, e.g. id,name,url,lat,lon' }] };
  const columns = header.cells.map((c) => c.trim());
  const rows = records.map((rec, i): RawRow => {
    const camera: Record<string, unknown> = {};
    const location: Record<string, unknown> = {};
    columns.forEach((col, c) => {
      const cell = rec.cells[c]?.trim() ?? '';
      if (cell === '') return;
      let v: unknown = cell;
      if (CSV_NUMBERS.has(col) && cell !== '' && Number.isFinite(Number(cell))) v = Number(cell);
      if (CSV_BOOLEANS.has(col) && /^(true|false)$/i.test(cell)) v = cell.toLowerCase() === 'true';
      if (col === 'zones') {
        try {
          v = JSON.parse(cell);
        } catch {
          // left as text: the schema then says zones must be a list
        }
      }
      (CSV_LOCATION.has(col) ? location : camera)[col] = v;
    });
    if (rec.cells.length > columns.length) camera[`column ${columns.length + 1}`] = rec.cells[columns.length];
    if (Object.keys(location).length) camera.location = location;
    return {
      row: i + 1,
      line: rec.line,
      value: camera,
      nameOf: (path) => (path[0] === 'location' && typeof path[1] === 'string' && CSV_LOCATION.has(path[1]) ? path[1] : fieldPath(path)),
    };
  });
  return { rows, errors: [] };
}

function documentRows(text: string, format: RowsFormat): { rows: RawRow[]; errors: RowError[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lc.linePos(offset).line);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    return { rows: [], errors: [{ row: 0, line: lineAt(e.pos[0]), field: '', message: `not valid ${format.toUpperCase()}: ${e.message.split('\n')[0]}` }] };
  }
  let list = doc.contents as YamlNode | null;
  if (isMap(list) && list.has('cameras')) list = list.get('cameras', true) as YamlNode;
  if (!isSeq(list)) {
    return { rows: [], errors: [{ row: 0, line: 1, field: '', message: 'expected a list of cameras (or an object with a "cameras" list)' }] };
  }
  const rows = list.items.map((item, i): RawRow => {
    const node = item as YamlNode;
    return {
      row: i + 1,
      line: lineAt(node.range?.[0]),
      value: node.toJSON(),
      lineOf: (path) => {
        const at = (isMap(node) || isSeq(node)) && path.length ? (node.getIn(path.map((p) => (typeof p === 'symbol' ? String(p) : p)), true) as YamlNode | undefined) : undefined;
        return lineAt(at?.range?.[0]);
      },
    };
  });
  return { rows, errors: [] };
}

/** Reads and validates every row; duplicates of an id earlier in the same file are errors too. */
export function validateRows(raw: RawRow[]): { valid: ValidRow[]; errors: RowError[] } {
  const valid: ValidRow[] = [];
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  for (const r of raw) {
    const tooBig = limitProblem(r.value);
    if (tooBig) {
      const { path, field, ...issue } = tooBig;
      errors.push({ row: r.row, line: r.lineOf?.(path) ?? r.line, field: r.nameOf?.(path) ?? field, ...issue });
      continue;
    }
    const parsed = cameraSchema.safeParse(r.value);
    if (!parsed.success) {
      for (const { path, field, ...issue } of fieldIssues(parsed.error.issues, r.value)) {
        errors.push({ row: r.row, line: r.lineOf?.(path) ?? r.line, field: r.nameOf?.(path) ?? field, ...issue });
      }
      continue;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      errors.push({ row: r.row, line: r.lineOf?.(['id']) ?? r.line, field: 'id', message: `camera id "${parsed.data.id}" was already used by row ${first}` });
      continue;
    }
    seen.set(parsed.data.id, r.row);
    valid.push({ row: r.row, line: r.line, camera: r.value as CameraInput });
  }
  return { valid, errors };
}

export function parseCameraFile(text: string, format: RowsFormat): { valid: ValidRow[]; errors: RowError[] } {
  const read = format === 'csv' ? csvRows(text) : documentRows(text, format);
  const checked = validateRows(read.rows);
  return { valid: checked.valid, errors: [...read.errors, ...checked.errors] };
}

/** Rows posted as a JSON list (no file, so no line numbers). */
export function parseCameraList(list: unknown[]): { valid: ValidRow[]; errors: RowError[] } {
  return validateRows(list.map((value, i) => ({ row: i + 1, value })));
}
