import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatOf, parseCameraFile, type RowError, type RowsFormat } from '../../api/camera_rows.js';
import { WeisuError } from '../../core/errors.js';
import { allCameras, importCameras, listCameras } from '../../store/cameras.js';
import { progress } from '../progress.js';
import { callServer, ServerRefused } from '../server_api.js';
import { openCliStore } from '../store.js';
import { formatProbe, probeCamera } from '../../streams/probe.js';
import { redactUrl } from '../../streams/redact.js';

export const summary = 'cameras list | import FILE | probe URL: list registered cameras, bulk-import CSV/JSON/YAML, test a camera URL';

const USAGE = `usage:
  weisu cameras list [--config FILE] [--json]
  weisu cameras import FILE [--format csv|json|yaml] [--mode upsert|create] [--dry-run] [--config FILE]
  weisu cameras import FILE --server URL [--token T] [--dry-run]   (through a running weisu's API; token also from WEISU_TOKEN)
  weisu cameras probe URL [--out frame.jpg] [--username U] [--password P] [--transport tcp|udp] [--json]

  The store is DATABASE_URL when set, else the embedded database in the config's data_dir. The embedded
  database belongs to one process: while \`weisu serve\` runs on it, import with --server instead.
  Import: every row is checked and reported with its line and field; valid rows are applied (each camera
  whole, all in one transaction); config-managed cameras are never changed. --dry-run checks the rows
  against the store and says what would be created and updated, writing nothing. CSV columns: id, name, url,
  username, password, transport, lat, lon, address, timezone, sample_every, enabled, loop, zones (JSON).`;

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
  const mode = values.mode;
  const dryRun = Boolean(values['dry-run']);
  if (values.server) return importThroughApi(file, text, format, { mode, dryRun, server: values.server, token: values.token ?? process.env.WEISU_TOKEN });

  const parsed = parseCameraFile(text, format);
  // A camera given as a file path means relative to the imported file, as in the config file.
  for (const v of parsed.valid) {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(v.camera.url) && !isAbsolute(v.camera.url)) v.camera.url = resolve(dirname(file), v.camera.url);
  }
  printErrors(file, parsed.errors);
  if (!parsed.valid.length) {
    console.error(`${file}: no valid rows; nothing ${dryRun ? 'would be ' : ''}imported`);
    return 1;
  }
  const viaServer = (url: string) => `weisu cameras import ${file} --server ${url} --mode ${mode}${dryRun ? ' --dry-run' : ''}`;
  const db = await openCliStore(values.config, { viaServer });
  try {
    const onProgress = progress(`weisu cameras import${dryRun ? ' (dry run)' : ''}`, (done, total) => `${done}/${total} cameras`);
    const outcome = await importCameras(db, parsed.valid.map((v) => v.camera), 'cli', mode, { dryRun, onProgress });
    const rejected = outcome.rejected.map((r) => ({ row: parsed.valid[r.index]!.row, line: parsed.valid[r.index]!.line, field: r.field, message: r.message }));
    printErrors(file, rejected);
    const total = (await allCameras(db)).length;
    console.log(summaryLine(file, dryRun, outcome.created.length, outcome.updated.length, parsed.errors.length + rejected.length) + (dryRun ? '' : `; ${total} camera(s) in the store`));
    return parsed.errors.length + rejected.length ? 1 : 0;
  } finally {
    await db.close();
  }
}

/** One line for both paths, so a dry run always says so and never reads like a done import. */
function summaryLine(file: string, dryRun: boolean, created: number, updated: number, errors: number, via?: string): string {
  const done = dryRun ? `dry run, nothing written: would create ${created}, update ${updated}` : `${created} created, ${updated} updated`;
  return `${file}: ${done}, ${errors} row(s) with errors${via ? ` (via ${via})` : ''}`;
}

interface ImportAnswer {
  dry_run?: boolean;
  created?: string[];
  updated?: string[];
  errors?: { row?: number; line?: number; field: string; message: string }[];
}

async function importThroughApi(file: string, content: string, format: RowsFormat, o: { mode: 'upsert' | 'create'; dryRun: boolean; server: string; token: string | undefined }): Promise<number> {
  const path = `cameras/import?mode=${o.mode}${o.dryRun ? '&dry_run=true' : ''}`;
  let body: ImportAnswer;
  try {
    body = await callServer<ImportAnswer>(o, 'POST', path, { format, content });
  } catch (e) {
    if (!(e instanceof ServerRefused)) throw e;
    printErrors(file, (e.body.errors ?? []).map((x) => ({ ...x, row: x.row ?? 0 })));
    console.error(`${file}: ${e.status} ${e.body.detail ?? ''}; nothing ${o.dryRun ? 'would be ' : ''}imported`);
    return 1;
  }
  if (o.dryRun && body.dry_run !== true) {
    // An older server ignores dry_run and writes: say so instead of claiming a dry run.
    throw new WeisuError('dry_run_ignored', `the server at ${o.server} does not know dry_run and applied the import`, { field: '--server', fix: 'upgrade that weisu; check the cameras it changed with weisu cameras list' });
  }
  const errors = (body.errors ?? []).map((e) => ({ row: e.row ?? 0, line: e.line, field: e.field, message: e.message }));
  printErrors(file, errors);
  console.log(summaryLine(file, o.dryRun, body.created?.length ?? 0, body.updated?.length ?? 0, errors.length, new URL(o.server).origin));
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
