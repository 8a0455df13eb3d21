import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatOf, parseCameraFile, type RowError, type RowsFormat } from '../../api/camera_rows.js';
import { configPath, loadConfig } from '../../config/load.js';
import { WeisuError } from '../../core/errors.js';
import { allCameras, importCameras, listCameras } from '../../store/cameras.js';
import { openDb, storeOptions, type Db } from '../../store/db.js';
import { formatProbe, probeCamera } from '../../streams/probe.js';
import { redactUrl } from '../../streams/redact.js';

export const summary = 'cameras list | import FILE | probe URL: list registered cameras, bulk-import CSV/JSON/YAML, test a camera URL';

const USAGE = `usage:
  weisu cameras list [--config FILE] [--json]
  weisu cameras import FILE [--format csv|json|yaml] [--mode upsert|create] [--dry-run] [--config FILE]
  weisu cameras import FILE --server URL [--token T]      (through a running weisu's API; token also from WEISU_TOKEN)
  weisu cameras probe URL [--out frame.jpg] [--username U] [--password P] [--transport tcp|udp] [--json]

  The store is DATABASE_URL when set, else the embedded database in the config's data_dir. The embedded
  database belongs to one process: while \`weisu serve\` runs on it, import with --server instead.
  Import: every row is checked and reported with its line and field; valid rows are applied (each camera
  whole, all in one transaction); config-managed cameras are never changed. CSV columns: id, name, url,
  username, password, transport, lat, lon, address, timezone, sample_every, enabled, loop, zones (JSON).`;

/** The store a CLI command works on (see USAGE). */
export async function openCliStore(configFlag: string | undefined): Promise<Db> {
  const dataDir = process.env.DATABASE_URL ? '.' : loadConfig(configPath(configFlag)).data_dir;
  return openDb(storeOptions(dataDir));
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(rest);
    case 'import':
      return importFile(rest);
    case 'probe':
      return probe(rest);
    default:
      console.error(USAGE);
      return sub === '--help' || sub === '-h' ? 0 : 2;
  }
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, json: { type: 'boolean' } } });
  const db = await openCliStore(values.config);
  try {
    const stored = await listCameras(db, { limit: 1_000_000 });
    if (values.json) {
      const rows = stored.map((s) => ({ id: s.camera.id, name: s.camera.name, url: redactUrl(s.camera.url), enabled: s.camera.enabled, managed_by: s.managedBy, zones: s.camera.zones.map((z) => z.id) }));
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (!stored.length) console.log('no cameras (weisu cameras import FILE, POST /api/v1/cameras, or cameras: in the config)');
    for (const s of stored) {
      const zones = s.camera.zones.map((z) => `${z.id}(${z.kind})`).join(', ') || 'no zones';
      console.log(`${s.camera.id.padEnd(24)} ${s.managedBy.padEnd(6)} ${s.camera.enabled ? 'on ' : 'off'} ${redactUrl(s.camera.url)}  ${zones}`);
    }
    return 0;
  } finally {
    await db.close();
  }
}

function printErrors(file: string, errors: RowError[]): void {
  for (const e of errors) console.error(`${file}:${e.line ?? '?'}: row ${e.row}: ${e.field || '(row)'}: ${e.message}`);
}

async function importFile(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      format: { type: 'string' },
      mode: { type: 'string', default: 'upsert' },
      'dry-run': { type: 'boolean' },
      server: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) {
    console.error(USAGE);
    return 2;
  }
  const format = (values.format ?? formatOf(file)) as RowsFormat | undefined;
  if (!format || !['csv', 'json', 'yaml'].includes(format)) {
    throw new WeisuError('bad_flag', `cannot tell the format of ${file}`, { field: '--format', fix: 'name the file .csv, .json, .yaml or .yml, or pass --format csv|json|yaml' });
  }
  if (values.mode !== 'upsert' && values.mode !== 'create') {
    throw new WeisuError('bad_flag', `--mode must be upsert or create, got "${values.mode}"`, { field: '--mode', fix: 'upsert replaces API-managed cameras with the same id; create refuses them' });
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new WeisuError('not_found', `cannot read ${file} (${(e as NodeJS.ErrnoException).code})`, { field: 'FILE', fix: 'check the path' });
  }
  if (values.server) return importThroughApi(file, text, format, values.mode, values.server, values.token ?? process.env.WEISU_TOKEN);

  const parsed = parseCameraFile(text, format);
  // A camera given as a file path means relative to the imported file, as in the config file.
  for (const v of parsed.valid) {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(v.camera.url) && !isAbsolute(v.camera.url)) v.camera.url = resolve(dirname(file), v.camera.url);
  }
  printErrors(file, parsed.errors);
  if (values['dry-run']) {
    console.log(`${file}: ${parsed.valid.length} valid row(s), ${parsed.errors.length} error(s); nothing written (--dry-run)`);
    return parsed.errors.length ? 1 : 0;
  }
  if (!parsed.valid.length) {
    console.error(`${file}: no valid rows; nothing imported`);
    return 1;
  }
  const db = await openCliStore(values.config);
  try {
    const outcome = await importCameras(db, parsed.valid.map((v) => v.camera), 'cli', values.mode);
    const rejected = outcome.rejected.map((r) => ({ row: parsed.valid[r.index]!.row, line: parsed.valid[r.index]!.line, field: r.field, message: r.message }));
    printErrors(file, rejected);
    const total = (await allCameras(db)).length;
    console.log(`${file}: ${outcome.created.length} created, ${outcome.updated.length} updated, ${parsed.errors.length + rejected.length} row(s) with errors; ${total} camera(s) in the store`);
    return parsed.errors.length + rejected.length ? 1 : 0;
  } finally {
    await db.close();
  }
}

async function importThroughApi(file: string, content: string, format: RowsFormat, mode: string, server: string, token: string | undefined): Promise<number> {
  if (!token) throw new WeisuError('bad_flag', 'importing through the API needs a token', { field: '--token', fix: 'pass --token or set WEISU_TOKEN (an admin or integrator API token)' });
  const url = new URL(`api/v1/cameras/import?mode=${mode}`, server.endsWith('/') ? server : `${server}/`);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ format, content }) });
  const body = (await res.json()) as { created?: string[]; updated?: string[]; errors?: { row?: number; line?: number; field: string; message: string }[]; detail?: string };
  const errors = (body.errors ?? []).map((e) => ({ row: e.row ?? 0, line: e.line, field: e.field, message: e.message }));
  printErrors(file, errors);
  if (!res.ok) {
    console.error(`${file}: ${res.status} ${body.detail ?? ''}`);
    return 1;
  }
  console.log(`${file}: ${body.created?.length ?? 0} created, ${body.updated?.length ?? 0} updated, ${errors.length} row(s) with errors (via ${url.origin})`);
  return errors.length ? 1 : 0;
}

async function probe(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' }, transport: { type: 'string', default: 'tcp' }, json: { type: 'boolean' } },
  });
  const url = positionals[0];
  if (!url) {
    console.error(USAGE);
    return 2;
  }
  if (values.transport !== 'tcp' && values.transport !== 'udp') {
    throw new WeisuError('bad_flag', `--transport must be tcp or udp, got "${values.transport}"`, { field: '--transport', fix: 'tcp works through NATs and firewalls; udp for cameras that only speak it' });
  }
  const r = await probeCamera({ cameraId: 'probe', url, username: values.username, password: values.password, transport: values.transport });
  if (values.out) writeFileSync(values.out, r.frame.jpeg);
  if (values.json) {
    const { frame: _frame, ...rest } = r;
    console.log(JSON.stringify({ url: redactUrl(url), ...rest, frame: values.out ?? null }, null, 2));
  } else {
    console.log(`${redactUrl(url)}\n${formatProbe(r)}${values.out ? `\nframe      saved to ${values.out}` : ''}`);
  }
  return 0;
}
