/**
 * `{{field}}` templates for case-API requests. The fields are a fixed list so that a typo in a body
 * template is caught when the config loads, with the field named, instead of filing cases with holes.
 */

/** Every field a template may use, with what it holds. */
export const TEMPLATE_FIELDS = {
  ref: 'weisu\'s unique reference of the ticket (also in the description)',
  incident_id: 'the incident id',
  kind: 'no_parking | bin_overflow',
  source: '视频智能发现 (found by video)',
  'category.major': '大类 code of the kind',
  'category.minor': '小类 code of the kind',
  camera_id: 'camera id',
  camera_name: 'camera name',
  zone_id: 'zone id',
  lat: 'latitude (number)',
  lon: 'longitude (number)',
  address: 'camera address',
  grid: 'grid (网格) of the camera, from case_api.areas',
  street: 'street (街道) of the camera, from case_api.areas',
  description: 'description, Chinese then English',
  description_zh: 'description in Chinese',
  description_en: 'description in English',
  media_url: 'signed URL of the main evidence image',
  photo_urls: 'all evidence image URLs (array)',
  map_link: 'map link of the location',
  first_seen: 'ISO time the subject was first seen',
  confirmed_at: 'ISO time the incident was confirmed',
  duration_seconds: 'dwell or fill time in seconds (number)',
  label: 'detected subject label, e.g. car',
  plate: 'licence plate when read, else empty',
  case_id: 'the case id (status, look-up and reopen only)',
  reason: 'why weisu sends a closed case back (reopen only)',
} as const;

export type TemplateField = keyof typeof TEMPLATE_FIELDS;
export type TemplateValues = Partial<Record<TemplateField, string | number | string[]>>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Every unknown `{{field}}` in a JSON template, with its path. */
export function templateProblem(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; message: string }[] {
  if (typeof value === 'string') {
    const bad = [...value.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((f) => !(f in TEMPLATE_FIELDS));
    return bad.map((f) => ({
      path,
      message: `unknown template field "{{${f}}}": use one of ${Object.keys(TEMPLATE_FIELDS).join(', ')}`,
    }));
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => templateProblem(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => templateProblem(v, [...path, k]));
  return [];
}

/**
 * Fills a template. A string that is one placeholder alone takes the field's own type (a number stays a
 * number, photo_urls an array); placeholders inside text are interpolated. `encode` escapes for URLs.
 */
const identity = (s: string) => s;

export function renderTemplate(value: unknown, values: TemplateValues, encode: (s: string) => string = identity): unknown {
  if (typeof value === 'string') {
    const alone = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(value);
    if (alone && encode === identity) return values[alone[1] as TemplateField] ?? '';
    return value.replace(PLACEHOLDER, (_, f: string) => {
      const v = values[f as TemplateField];
      return encode(Array.isArray(v) ? v.join(',') : v === undefined ? '' : String(v));
    });
  }
  if (Array.isArray(value)) return value.map((v) => renderTemplate(v, values, encode));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderTemplate(v, values, encode)]));
  }
  return value;
}

/** Same as renderTemplate for a URL: values are percent-encoded. */
export function renderUrl(template: string, values: TemplateValues): string {
  return renderTemplate(template, values, encodeURIComponent) as string;
}

/** Reads `data.items[0].id` out of a parsed JSON value. */
export function readPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.match(/[^.\[\]]+|\[\d+\]/g) ?? []) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = part.startsWith('[') ? (cur as unknown[])[Number(part.slice(1, -1))] : (cur as Record<string, unknown>)[part];
  }
  return cur;
}
