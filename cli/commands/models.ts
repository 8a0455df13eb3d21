import { parseArgs } from 'node:util';
import { WeisuError } from '../../core/errors.js';
import type { Manifest } from '../../models/manifest.js';
import { checkModelFile, pullModel } from '../../models/pull.js';
import { progress } from '../progress.js';
import { defaultModelsDir, loadRegistry } from '../../models/registry.js';

export const summary = 'models list | models pull [ID...] [--from URL]: what is installed and verified; download pinned models';

const USAGE = `usage: weisu models list [--json] [--dir DIR]
       weisu models pull [ID...] [--from URL] [--dir DIR]
  --dir DIR    models folder (default: WEISU_MODELS_DIR, else ../shared/models)
  --from URL   download from this mirror (URL + file name) instead of each manifest's pinned url
               (also WEISU_MODELS_MIRROR)
  pull without ID fetches every model that has a download url.`;

const mb = (n: number) => (n / 1e6).toFixed(1);

async function list(dir: string, json: boolean): Promise<number> {
  const reg = loadRegistry(dir);
  const rows = await Promise.all(reg.list().map(async (m) => ({ m, file: await checkModelFile(dir, m) })));
  if (json) {
    console.log(JSON.stringify(rows.map(({ m, file }) => ({ id: m.id, task: m.task, file: m.file, status: file.status, bytes: file.bytes, licence: m.licence, url: m.url ?? null }))));
    return 0;
  }
  console.log(`models in ${dir}:`);
  for (const { m, file } of rows) {
    const status = file.status === 'verified' ? 'verified' : file.status === 'missing' ? `missing${m.url ? ` (weisu models pull ${m.id})` : ' (no download url: place the file by hand)'}` : `SHA256 MISMATCH: found ${file.sha256?.slice(0, 12)}…, want ${m.sha256.slice(0, 12)}…`;
    console.log(`  ${m.id.padEnd(32)} ${m.task.padEnd(8)} ${m.file.padEnd(36)} ${status}`);
    console.log(`  ${''.padEnd(32)} licence: ${m.licence}`);
  }
  return rows.some((r) => r.file.status === 'checksum_mismatch') ? 1 : 0;
}

async function pull(dir: string, ids: string[], mirror: string | undefined): Promise<number> {
  const reg = loadRegistry(dir);
  const wanted: Manifest[] = ids.length ? ids.map((id) => reg.get(id)) : reg.list().filter((m) => m.url || mirror);
  let failed = 0;
  for (const m of wanted) {
    try {
      const r = await pullModel({ manifest: m, modelsDir: dir, mirror, onProgress: progress(m.id, (received, total) => (total ? `${mb(received)}/${mb(total)} MB` : `${mb(received)} MB`)) });
      if (process.stderr.isTTY && !r.alreadyPresent) process.stderr.write('\n');
      console.log(r.alreadyPresent ? `${m.id}: already present and verified (${r.path})` : `${m.id}: downloaded and verified, ${mb(r.bytes)} MB${r.resumed ? ', resumed' : ''}${r.attempts > 1 ? `, ${r.attempts} attempts` : ''} → ${r.path}`);
    } catch (e) {
      if (!(e instanceof WeisuError)) throw e;
      if (process.stderr.isTTY) process.stderr.write('\n');
      console.error(`weisu models pull: ${m.id}: ${e.describe()}`);
      failed++;
    }
  }
  return failed ? 1 : 0;
}

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: 'string' }, from: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  const dir = values.dir ?? defaultModelsDir();
  const [sub, ...ids] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  switch (sub) {
    case 'list':
      return list(dir, values.json);
    case 'pull':
      return pull(dir, ids, values.from ?? process.env.WEISU_MODELS_MIRROR);
    default:
      console.error(USAGE);
      return 2;
  }
}
