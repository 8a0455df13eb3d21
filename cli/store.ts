import { configPath, loadConfig } from '../config/load.js';
import { openDb, storeOptions, type Db } from '../store/db.js';
import { lockHolder, StoreBusyError } from '../store/lock.js';

/**
 * The store a CLI command works on: DATABASE_URL when set, else the embedded database in the config's
 * data_dir, which has one owner (store/lock.ts). When `weisu serve` owns it, the refusal names the exact
 * command that does the same through the server's API (`viaServer(url)`), so nothing is done and lost.
 */
export interface CliStoreOptions {
  /** The same command through the running server, e.g. `weisu users token NAME --server URL`. */
  viaServer?: (url: string) => string;
}

function lockPathOf(configFlag: string | undefined): string | undefined {
  if (process.env.DATABASE_URL) return undefined;
  return `${storeOptions(loadConfig(configPath(configFlag)).data_dir).dataDir}.lock`;
}

function refusal(e: StoreBusyError, o: CliStoreOptions): StoreBusyError {
  const url = e.holder.url;
  if (!o.viaServer) return e;
  const fix = url ? `run it through the server instead: ${o.viaServer(url)}` : `stop pid ${e.holder.pid} first, or once it listens run: ${o.viaServer('URL')}`;
  return new StoreBusyError(e.lockPath, e.holder, fix);
}

/** Refuses before any work (a password typed, a file parsed) when another process owns the embedded store. */
export function checkCliStore(configFlag: string | undefined, o: CliStoreOptions = {}): void {
  const path = lockPathOf(configFlag);
  const holder = path && lockHolder(path);
  if (path && holder && holder.pid !== process.pid) throw refusal(new StoreBusyError(path, holder), o);
}

export async function openCliStore(configFlag: string | undefined, o: CliStoreOptions = {}): Promise<Db> {
  const dataDir = process.env.DATABASE_URL ? '.' : loadConfig(configPath(configFlag)).data_dir;
  try {
    return await openDb(storeOptions(dataDir));
  } catch (e) {
    throw e instanceof StoreBusyError ? refusal(e, o) : e;
  }
}
